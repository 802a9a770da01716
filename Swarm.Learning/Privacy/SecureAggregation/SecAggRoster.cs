namespace Swarm.Learning.Privacy.SecureAggregation;

/// <summary>The checks every participant and every aggregator applies to a round's agreed messages, so that all
/// honest sites derive the same sets U1 (advertised keys) and U2 (dealt shares) from the same messages
/// (Bonawitz et al. Figure 4: U1 ⊇ U2 ⊇ U3). Bad messages are dropped with a rejection naming their sender.</summary>
public static class SecAggRoster
{
    /// <summary>U1: the well-formed key advertisements, one per site. A site that sent two different ones is
    /// left out (it could show different keys to different peers).</summary>
    public static SortedDictionary<int, AdvertiseKeys> Advertised(
        SecAggParameters parameters, IReadOnlyList<AdvertiseKeys> messages, List<Rejection> rejections)
    {
        var result = new SortedDictionary<int, AdvertiseKeys>();
        var equivocating = new HashSet<int>();
        foreach (var message in messages)
        {
            if (message.Sender < 0 || message.Sender >= parameters.SiteCount)
            {
                rejections.Add(new Rejection($"keys from unknown site {message.Sender}", message.Sender));
            }
            else if (!SecAggCrypto.IsPublicKey(message.CipherPublicKey) || !SecAggCrypto.IsPublicKey(message.MaskPublicKey)
                || message.CipherPublicKey.AsSpan().SequenceEqual(message.MaskPublicKey))
            {
                rejections.Add(new Rejection($"site {message.Sender} advertised unusable or equal keys", message.Sender));
            }
            else if (result.TryGetValue(message.Sender, out var earlier) && !SameKeys(earlier, message))
            {
                equivocating.Add(message.Sender);
            }
            else
            {
                result[message.Sender] = message;
            }
        }
        Exclude(result, equivocating, "advertised two different key pairs", rejections);
        return result;
    }

    /// <summary>U2: the well-formed share messages from sites in U1, one per site, each with exactly one entry
    /// for every holder the graph gives it among U1.</summary>
    public static SortedDictionary<int, ShareKeys> Dealt(
        SecAggParameters parameters, NeighbourGraph graph, IReadOnlyDictionary<int, AdvertiseKeys> advertised,
        IReadOnlyList<ShareKeys> messages, List<Rejection> rejections)
    {
        var result = new SortedDictionary<int, ShareKeys>();
        var equivocating = new HashSet<int>();
        foreach (var message in messages)
        {
            if (!advertised.ContainsKey(message.Sender))
            {
                rejections.Add(new Rejection($"shares from site {message.Sender}, which advertised no keys", message.Sender));
            }
            else if (!WellFormed(message, HoldersAmong(graph, message.Sender, advertised)))
            {
                rejections.Add(new Rejection($"site {message.Sender} sent malformed shares", message.Sender));
            }
            else if (result.TryGetValue(message.Sender, out var earlier) && !ReferenceEquals(earlier, message))
            {
                equivocating.Add(message.Sender);
            }
            else
            {
                result[message.Sender] = message;
            }
        }
        Exclude(result, equivocating, "dealt shares twice", rejections);
        return result;
    }

    /// <summary>The holders of <paramref name="site"/>'s shares that advertised keys.</summary>
    public static IReadOnlyList<int> HoldersAmong(NeighbourGraph graph, int site, IReadOnlyDictionary<int, AdvertiseKeys> advertised) =>
        [.. graph.Holders(site).Where(advertised.ContainsKey)];

    /// <summary>What is wrong with an unmask request given U2, or null. The central check (Bonawitz et al. §4,
    /// Round 4): no site may be both a survivor (self-mask revealed) and dropped (mask key revealed), for with both
    /// its input is in the clear.</summary>
    public static string? RequestProblem(SecAggParameters parameters, UnmaskRequest request, IReadOnlyDictionary<int, ShareKeys> dealt)
    {
        var survivors = request.Survivors.ToHashSet();
        var dropped = request.Dropped.ToHashSet();
        if (survivors.Count != request.Survivors.Count || dropped.Count != request.Dropped.Count)
        {
            return "the unmask request lists a site twice";
        }
        if (survivors.Intersect(dropped).FirstOrDefault(-1) is var both and >= 0)
        {
            return $"the unmask request asks for both the self-mask and the pairwise masks of site {both}";
        }
        if (!survivors.Union(dropped).ToHashSet().SetEquals(dealt.Keys))
        {
            return "the unmask request does not split exactly the sites that dealt shares into survivors and dropped";
        }
        return survivors.Count < parameters.Threshold
            ? $"only {survivors.Count} survivors, fewer than the threshold {parameters.Threshold}"
            : null;
    }

    private static bool WellFormed(ShareKeys message, IReadOnlyList<int> holders) =>
        message.SelfMaskCommitment is { Length: 32 }
        && message.Shares.Count == holders.Count
        && message.Shares.Select(s => s.Holder).Order().SequenceEqual(holders)
        && message.Shares.All(s => s.Ciphertext.Length == SecAggCrypto.SharePlaintextBytes + SecAggCrypto.TagBytes
            && s.MaskKeyShareCommitment.Length == 32 && s.SelfMaskShareCommitment.Length == 32);

    private static bool SameKeys(AdvertiseKeys a, AdvertiseKeys b) =>
        a.CipherPublicKey.AsSpan().SequenceEqual(b.CipherPublicKey) && a.MaskPublicKey.AsSpan().SequenceEqual(b.MaskPublicKey);

    private static void Exclude<T>(SortedDictionary<int, T> sites, HashSet<int> culprits, string what, List<Rejection> rejections)
    {
        foreach (var culprit in culprits)
        {
            sites.Remove(culprit);
            rejections.Add(new Rejection($"site {culprit} {what}", culprit));
        }
    }
}
