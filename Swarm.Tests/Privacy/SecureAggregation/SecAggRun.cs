using Swarm.Learning.Privacy.SecureAggregation;

namespace Swarm.Tests.Privacy.SecureAggregation;

/// <summary>One secure-aggregation session among in-process participants, driven round by round with the agreed
/// message sets, and hooks for dropping sites and tampering with messages.</summary>
internal sealed class SecAggRun
{
    public SecAggRun(SecAggParameters parameters, int seed)
    {
        Parameters = parameters;
        Participants = [.. Enumerable.Range(0, parameters.SiteCount).Select(site => new SecAggParticipant(parameters, site, Entropy(seed, site)))];
        var random = new Random(seed);
        Updates = [.. Enumerable.Range(0, parameters.SiteCount).Select(_ =>
            Enumerable.Range(0, parameters.VectorLength).Select(_ => (float)((random.NextDouble() * 8.0) - 4.0)).ToArray())];
    }

    public SecAggParameters Parameters { get; }

    public SecAggParticipant[] Participants { get; }

    public float[][] Updates { get; }

    /// <summary>Sites that never send keys, shares, masked input or unmask responses (from that round on).</summary>
    public HashSet<int> SilentFromKeys { get; } = [];

    public HashSet<int> SilentFromShares { get; } = [];

    public HashSet<int> SilentFromMasked { get; } = [];

    public HashSet<int> SilentFromUnmask { get; } = [];

    /// <summary>Rewrites a site's outgoing messages (a Byzantine site); identity by default.</summary>
    public Func<SecAggMessage, SecAggMessage> Tamper { get; set; } = message => message;

    /// <summary>Reorders the agreed set of each round (delivery order must not matter).</summary>
    public Func<IReadOnlyList<SecAggMessage>, IReadOnlyList<SecAggMessage>> Order { get; set; } = messages => messages;

    public List<Rejection> Rejections { get; } = [];

    public List<Aborted> Aborts { get; } = [];

    public List<AdvertiseKeys> Keys { get; private set; } = [];

    public List<ShareKeys> Shares { get; private set; } = [];

    public List<MaskedInput> Masked { get; private set; } = [];

    /// <summary>Runs all rounds; the aggregator is the lowest surviving site.</summary>
    public AggregationOutcome Run(Func<UnmaskRequest, UnmaskRequest>? forge = null)
    {
        Keys = Round(SilentFromKeys, _ => new Begin()).Cast<AdvertiseKeys>().ToList();
        Shares = Round(SilentFromShares, _ => new KeysAdvertised(Keys)).Cast<ShareKeys>().ToList();
        Masked = Round(SilentFromMasked, site => new SharesDealt(Shares, Updates[site])).Cast<MaskedInput>().ToList();
        var aggregator = Masked.Select(m => m.Sender).DefaultIfEmpty(0).Min();
        var request = SecAggAggregator.RequestUnmasking(aggregator, Parameters, Keys, Shares, Masked);
        request = forge?.Invoke(request) ?? request;
        var responses = Round(SilentFromUnmask, _ => new UnmaskRequested(request)).Cast<UnmaskResponse>().ToList();
        return SecAggAggregator.Aggregate(Parameters, Keys, Shares, Masked, request, responses);
    }

    /// <summary>The plain sum of the encodings of the given sites' updates.</summary>
    public ulong[] PlainSum(IEnumerable<int> sites)
    {
        var sum = new ulong[Parameters.VectorLength];
        var encoded = new ulong[Parameters.VectorLength];
        foreach (var site in sites)
        {
            Assert.True(Parameters.Codec.TryEncode(Updates[site], encoded, out _));
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] = unchecked(sum[i] + encoded[i]);
            }
        }
        return sum;
    }

    private List<SecAggMessage> Round(HashSet<int> silent, Func<int, SecAggInput> input)
    {
        var sent = new List<SecAggMessage>();
        foreach (var participant in Participants.Where(p => !silent.Contains(p.Self)))
        {
            foreach (var output in participant.Step(input(participant.Self)))
            {
                switch (output)
                {
                    case Broadcast broadcast:
                        sent.Add(Tamper(broadcast.Message));
                        break;
                    case Rejection rejection:
                        Rejections.Add(rejection);
                        break;
                    case Aborted aborted:
                        Aborts.Add(aborted);
                        break;
                }
            }
        }
        return [.. Order(sent)];
    }

    internal static byte[] Entropy(int seed, int site)
    {
        var bytes = new byte[32];
        new Random(HashCode.Combine(seed, site, 0x5ec)).NextBytes(bytes);
        return bytes;
    }

    internal static SecAggParameters Session(int sites, int threshold, int length, int? degree = null) =>
        new(System.Text.Encoding.UTF8.GetBytes("test-session-0123456789"), sites, threshold, length, degree, FixedPointCodec.Default);
}
