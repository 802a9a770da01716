using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Swarm.Learning.Privacy.SecretSharing;
using Swarm.Learning.Privacy.SecureAggregation;

namespace Swarm.Node.Cli.Bench;

/// <summary>
/// <c>swarm bench secret-sharing</c>: what additive secret sharing costs one site per round against the plain
/// fixed-point sum measured in the same run, for each site count asked. All sites run in this process one after
/// another; per-site times are one site's part (its session key, sealing its seeds, its kept share, its held sum);
/// bytes are what one site sends (its public key, its sealed seeds, its partial sum) against sending its plain
/// update as the 64-bit fixed-point vector and as float32, and against full random shares sent as vectors.
/// </summary>
public static class SecretSharingBench
{
    public static Command Create()
    {
        var command = new Command("secret-sharing", "Additive secret sharing per site: bytes and time vs the plain sum, at each site count.");
        var sites = new Option<int[]>("--sites") { Description = "Site counts n", DefaultValueFactory = _ => [4, 10], AllowMultipleArgumentsPerToken = true };
        var parameters = new Option<int>("--parameters") { Description = "Parameters summed", DefaultValueFactory = _ => 1_000_000 };
        command.Options.Add(sites);
        command.Options.Add(parameters);
        command.SetAction(parse => Run(parse.GetValue(sites)!, parse.GetValue(parameters)));
        return command;
    }

    private static int Run(int[] siteCounts, int m)
    {
        if (m < 1 || siteCounts.Length == 0 || siteCounts.Any(n => n is < 2 or > 1024))
        {
            Console.Error.WriteLine("swarm bench secret-sharing: --parameters must be positive and each --sites in [2, 1024]");
            return ExitCodes.Usage;
        }
        var codec = FixedPointCodec.Default;
        Console.WriteLine($"swarm bench secret-sharing: {m:N0} parameters, sites {string.Join(", ", siteCounts)}, {Environment.ProcessorCount} cores");
        Console.WriteLine("| n | bytes sent per site | vs plain fixed-point | vs plain float32 | full random shares would send | plain sum per site (ms) | secret sharing per site (ms) | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var n in siteCounts)
        {
            // Warm up (JIT, AES key schedule paths) on a small vector, so the first row is not charged for it.
            Measure(n, Math.Min(m, 4096), codec, null);
        }
        foreach (var n in siteCounts)
        {
            if (Measure(n, m, codec, Console.Out) is { } failure)
            {
                Console.Error.WriteLine($"swarm bench secret-sharing: {failure}");
                return ExitCodes.Failure;
            }
        }
        return ExitCodes.Ok;
    }

    /// <summary>Writes one row to <paramref name="output"/> (none when warming up); answers why the shared total is
    /// wrong, or null.</summary>
    private static string? Measure(int n, int m, FixedPointCodec codec, TextWriter? output)
    {
        var random = new Random(n);
        var updates = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, m).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()).ToArray();
        var sessionId = RandomNumberGenerator.GetBytes(32);

        var plain = Stopwatch.StartNew();
        var plainSum = new ulong[m];
        var encoded = new ulong[m];
        foreach (var update in updates)
        {
            codec.TryEncode(update, encoded, out _);
            for (var i = 0; i < m; i++)
            {
                plainSum[i] = unchecked(plainSum[i] + encoded[i]);
            }
        }
        plain.Stop();

        var shared = Stopwatch.StartNew();
        var sites = Enumerable.Range(0, n).Select(i => new AdditiveSharing(i, n, sessionId, RandomNumberGenerator.GetBytes(32))).ToArray();
        var keys = sites.Select(s => s.PublicKey).ToArray();
        var seeds = sites.SelectMany(s => s.Deal(keys)).ToList();
        var held = sites.Select(s => (ulong[]?)s.HeldSum(s.KeptShare(updates[s.Self], codec), keys, seeds)).ToArray();
        var total = AdditiveSharing.Total(held);
        shared.Stop();
        if (!total.AsSpan().SequenceEqual(plainSum))
        {
            return $"at n = {n} the shared total differs from the plain sum";
        }
        if (output is null)
        {
            return null;
        }

        // Wire size: payload plus 4 bytes per integer and length prefix, as `bench secagg` counts.
        var sent = (4L + keys[0].Length) + seeds.Where(s => s.Dealer == 0).Sum(s => 12L + s.Ciphertext.Length) + (4L + (8L * m));
        var full = (long)(n - 1) * 8L * m + (8L * m);
        var plainMs = plain.Elapsed.TotalMilliseconds / n;
        var sharedMs = shared.Elapsed.TotalMilliseconds / n;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {n} | {sent:N0} | {sent / (8.0 * m):0.0000}x | {sent / (4.0 * m):0.0000}x | {full:N0} ({full / (8.0 * m):0.0}x) | {plainMs:0.0} | {sharedMs:0.0} | {sharedMs / plainMs:0.0}x |"));
        return null;
    }
}
