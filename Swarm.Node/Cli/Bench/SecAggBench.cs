using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Swarm.Learning.Privacy.SecureAggregation;

namespace Swarm.Node.Cli.Bench;

/// <summary>
/// <c>swarm bench secagg</c>: what secure aggregation costs per site against the plain fixed-point sum measured in
/// the same run. All sites run in this process, one after another; per-site times are one site's share. Bytes are
/// what one site sends in all rounds (its broadcasts) against sending its plain update, both as the 64-bit
/// fixed-point vector the sum needs and as float32.
/// </summary>
public static class SecAggBench
{
    public static Command Create()
    {
        var command = new Command("secagg", "Secure aggregation per site: bytes and masking/unmasking time vs the plain sum.");
        var sites = new Option<int>("--sites") { Description = "Sites n", DefaultValueFactory = _ => 10 };
        var parameters = new Option<int>("--parameters") { Description = "Parameters summed", DefaultValueFactory = _ => 1_000_000 };
        var dropped = new Option<int>("--dropped") { Description = "Sites dropping after dealing shares", DefaultValueFactory = _ => 1 };
        foreach (var option in new Option[] { sites, parameters, dropped })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => Run(parse.GetValue(sites), parse.GetValue(parameters), parse.GetValue(dropped)));
        return command;
    }

    private static int Run(int n, int m, int dropped)
    {
        var threshold = (2 * n / 3) + 1;
        var settings = new SecAggParameters(RandomNumberGenerator.GetBytes(32), n, threshold, m, null, FixedPointCodec.Default);
        var problem = settings.Problem() ?? (dropped < 0 || n - dropped < threshold ? $"--dropped must be in [0, {n - threshold}]" : null);
        if (problem is not null)
        {
            Console.Error.WriteLine($"swarm bench secagg: {problem}");
            return ExitCodes.Usage;
        }
        var random = new Random(1);
        var updates = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, m).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()).ToArray();
        Console.WriteLine($"swarm bench secagg: n={n}, t={threshold}, {m:N0} parameters, {dropped} dropped after dealing shares, " +
            $"complete graph, {Environment.ProcessorCount} cores");

        var plain = Stopwatch.StartNew();
        var plainSum = PlainSum(settings, updates, n - dropped);
        plain.Stop();

        var participants = Enumerable.Range(0, n).Select(site => new SecAggParticipant(settings, site, RandomNumberGenerator.GetBytes(32))).ToArray();
        var setup = Stopwatch.StartNew();
        var keys = participants.Select(p => Sent<AdvertiseKeys>(p.Step(new Begin()))).ToList();
        var shares = participants.Select(p => Sent<ShareKeys>(p.Step(new KeysAdvertised(keys)))).ToList();
        setup.Stop();
        var masking = Stopwatch.StartNew();
        var masked = participants.Take(n - dropped).Select(p => Sent<MaskedInput>(p.Step(new SharesDealt(shares, updates[p.Self])))).ToList();
        masking.Stop();
        var request = SecAggAggregator.RequestUnmasking(0, settings, keys, shares, masked);
        var responses = participants.Take(n - dropped).Select(p => Sent<UnmaskResponse>(p.Step(new UnmaskRequested(request)))).ToList();
        var unmasking = Stopwatch.StartNew();
        var outcome = SecAggAggregator.Aggregate(settings, keys, shares, masked, request, responses);
        unmasking.Stop();
        if (outcome is not AggregateSum sum || !sum.Sum.AsSpan().SequenceEqual(plainSum))
        {
            Console.Error.WriteLine($"swarm bench secagg: the secure sum differs from the plain sum ({outcome})");
            return ExitCodes.Failure;
        }

        var sent = Bytes(keys[1]) + Bytes(shares[1]) + Bytes(masked[1]) + Bytes(responses[1]);
        var perSiteMaskMs = masking.Elapsed.TotalMilliseconds / (n - dropped);
        var perSiteSetupMs = setup.Elapsed.TotalMilliseconds / n;
        var secureMs = perSiteSetupMs + perSiteMaskMs + unmasking.Elapsed.TotalMilliseconds;
        Console.WriteLine(Invariant($"bytes sent per site: secure {sent:N0}, plain fixed-point {8L * m:N0} ({sent / (8.0 * m):0.0000}x), plain float32 {4L * m:N0} ({sent / (4.0 * m):0.0000}x)"));
        Console.WriteLine(Invariant($"plain sum (encode + add, {n - dropped} sites): {plain.Elapsed.TotalMilliseconds:0} ms"));
        Console.WriteLine(Invariant($"per site: keys + shares {perSiteSetupMs:0.0} ms, masking {perSiteMaskMs:0} ms; unmasking (whole sum, any one site) {unmasking.Elapsed.TotalMilliseconds:0} ms"));
        Console.WriteLine(Invariant($"secure total per site {secureMs:0} ms = {secureMs / plain.Elapsed.TotalMilliseconds:0.0}x the plain sum (goal: <= 1000 ms)"));
        return ExitCodes.Ok;
    }

    private static ulong[] PlainSum(SecAggParameters settings, float[][] updates, int sites)
    {
        var sum = new ulong[settings.VectorLength];
        var encoded = new ulong[settings.VectorLength];
        for (var site = 0; site < sites; site++)
        {
            settings.Codec.TryEncode(updates[site], encoded, out _);
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] = unchecked(sum[i] + encoded[i]);
            }
        }
        return sum;
    }

    private static T Sent<T>(IReadOnlyList<SecAggOutput> outputs) where T : SecAggMessage =>
        outputs.OfType<Broadcast>().Select(b => b.Message).OfType<T>().Single();

    /// <summary>Wire size as the payload bytes plus 4 bytes per integer and length prefix.</summary>
    private static long Bytes(SecAggMessage message) => message switch
    {
        AdvertiseKeys keys => 4 + keys.CipherPublicKey.Length + keys.MaskPublicKey.Length,
        ShareKeys shares => 8 + shares.SelfMaskCommitment.Length
            + shares.Shares.Sum(s => 16L + s.Ciphertext.Length + s.MaskKeyShareCommitment.Length + s.SelfMaskShareCommitment.Length),
        MaskedInput masked => 8 + (8L * masked.Masked.Length),
        UnmaskResponse response => 12 + response.SelfMaskShares.Concat(response.MaskKeyShares).Sum(p => 8L + p.Value.Length),
        _ => 0,
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
