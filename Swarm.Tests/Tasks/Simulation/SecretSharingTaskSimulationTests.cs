using System.Security.Cryptography;
using System.Text;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Privacy.SecretSharing;
using Swarm.Tasks;
using Xunit.Abstractions;
using static Swarm.Tests.Privacy.Uniformity;

namespace Swarm.Tests.Tasks.Simulation;

/// <summary>Additive secret sharing inside the task rounds, on the deterministic task simulator: every site ends on one
/// model within the fixed-point step of plain FedAvg of the same updates, a site that does not deal or does not
/// publish its partial sum fails the round with its name in the reason, and what peers hold of one site's update is
/// uniform unless they hold all n shares.</summary>
public sealed class SecretSharingTaskSimulationTests(ITestOutputHelper output)
{
    /// <summary>|shared − plain| per coordinate: the fixed-point rounding (n·2^−25/Σw, far below this) plus the float
    /// rounding of w·Δ and of the plain sum (relative 2^−24 of values below 0.2).</summary>
    private const double Tolerance = 1e-6;

    [Fact]
    public void A_secret_shared_task_ends_on_one_model_within_the_fixed_point_step_of_plain_fedavg()
    {
        var sim = Run(Scenario(rounds: 3, loss: 0.1), 11);
        var live = sim.Sites.ToList();
        var chain = live[0].Site!.Chain;
        Assert.Equal(3, chain.Finalized.Count);
        var global = sim.Initial.ToArray();
        foreach (var final in chain.Finalized)
        {
            Assert.Equal(4, final.Included.Count);
            var updates = final.Included.Select(u => sim.Sites.Single(s => s.Id == u.Site).Trained[final.Round]).ToList();
            var plain = RoundAggregate.Compute(new FedAvg(), global, updates);
            var shared = live[0].AdoptedParameters[final.Round];
            Assert.All(live, site => Assert.Equal(final.ModelHash, site.Adopted[final.Round]));
            var worst = plain.Parameters.Select((p, i) => Math.Abs(p - shared[i])).Max();
            output.WriteLine($"round {final.Round}: |shared − plain FedAvg| ≤ {worst:E2}");
            Assert.True(worst <= Tolerance, $"round {final.Round}: the secret-shared aggregate differs from plain FedAvg by {worst}");
            Assert.True(plain.Parameters.Select((p, i) => Math.Abs(p - global[i])).Max() > 1e-3, "the round moved the model");
            global = shared;
        }
    }

    [Fact]
    public void A_secret_shared_task_completes_under_loss_and_delay_over_ten_seeds()
    {
        for (ulong seed = 1; seed <= 10; seed++)
        {
            var scenario = Scenario(rounds: 2, loss: seed % 3 == 0 ? 0.1 : 0.0) with { DelayMaxMs = 1 + (long)(seed * 7 % 150) };
            var result = new TaskSimulation(scenario, seed).Run();
            Assert.True(result.Ok && result.StalledOn is null && result.RoundsAdopted == 2, result.Report);
        }
    }

    [Fact]
    public void A_site_that_never_deals_its_shares_fails_the_round_with_its_name_in_the_reason()
    {
        var reason = FailedRound(Scenario(rounds: 2, loss: 0) with { SecAggDrops = new Dictionary<int, SecAggDrop> { [1] = SecAggDrop.AfterKeys } });
        Assert.Contains("round 1 failed: no shares dealt by 'site-1' by the round deadline", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_holder_that_never_publishes_its_partial_sum_fails_the_round_with_its_name_in_the_reason()
    {
        var reason = FailedRound(Scenario(rounds: 2, loss: 0) with { SecAggDrops = new Dictionary<int, SecAggDrop> { [2] = SecAggDrop.AfterMasking } });
        Assert.Contains("round 1 failed: no partial sum from 'site-2' by the round deadline", reason, StringComparison.Ordinal);
    }

    /// <summary>The attack a coalition can make with what the round actually delivered: site 0's dealt blob opened
    /// by each holder (with that holder's own round secrets), plus site 0's own kept share. Any n − 1 of the n shares
    /// sum to bytes that pass a χ² uniformity test and do not correlate with site 0's update; only all n give it,
    /// exactly. Site 0's published partial sum is uniform too, and its plain update never reached a peer.</summary>
    [Fact]
    public void Any_n_minus_one_shares_of_a_sites_update_that_peers_received_are_uniform_and_only_all_n_give_it()
    {
        const int n = 4;
        var scenario = Scenario(rounds: 1, loss: 0) with { ModelLength = 8192 };
        var sim = Run(scenario, 31);
        var dealer = sim.Sites[0];
        var chain = sim.Sites[1].Site!.Chain;
        var record = chain.SharingOf(1);
        var keys = Enumerable.Range(0, n).Select(i => record.Keys[i]).ToList();
        var dealtHash = chain.Finalized[0].Included.Single(u => u.Site == dealer.Id).Hash;
        var plain = dealer.Trained[1];
        var secret = new ulong[scenario.ModelLength];
        Assert.True(SharedRound.Codec.TryEncode(SharedRound.Weighted(plain.Bytes, plain.SampleCount), secret, out _));

        var shares = new List<ulong[]>();
        for (var holder = 1; holder < n; holder++)
        {
            var peer = sim.Sites[holder];
            Assert.DoesNotContain(plain.Hash, peer.Blobs.Keys.Select(k => k.Item2));
            var received = SharedRound.DecodeDealt(peer.Blobs[(BlobKind.Update, dealtHash)], 0)!;
            var session = new AdditiveSharing(holder, n, SharedRound.SessionId("task/sim", 1), Entropy(sim, peer, 1));
            shares.Add(session.ShareFrom(received.Single(s => s.Holder == holder), keys, scenario.ModelLength));
        }
        var kept = (ulong[])secret.Clone();
        foreach (var share in shares)
        {
            Subtract(kept, share);
        }
        shares.Insert(0, kept);

        for (var left = 0; left < n; left++)
        {
            var coalition = Sum(shares.Where((_, i) => i != left));
            var chi = ChiSquareOfBytes(coalition);
            output.WriteLine($"shares of site-0 without the one site-{left} holds: χ² = {chi:F1} (critical {ChiSquare255Critical})");
            Assert.True(chi < ChiSquare255Critical, $"n − 1 shares (missing site-{left}'s) are not uniform: χ² = {chi}");
            Assert.True(Math.Abs(Correlation(Words(coalition), Words(secret))) < 0.05);
        }
        Assert.Equal(secret, Sum(shares));
        Assert.True(ChiSquareOfBytes(secret) > ChiSquare255Critical, "control: the update's own encoding should fail the test");
        var partial = sim.Sites[1].Blobs[(BlobKind.Update, record.PartialSums[0])];
        Assert.True(ChiSquareOfBytes(partial) < ChiSquare255Critical, "site-0's published partial sum is not uniform");
    }

    private static TaskSimScenario Scenario(int rounds, double loss) =>
        new(4, 1, 4, rounds, loss, 50, new Dictionary<int, TaskLie>(), []) { SecretSharing = true };

    /// <summary>The simulator's seeded round entropy of a site (nodes draw it from the OS CSPRNG).</summary>
    private static byte[] Entropy(TaskSimulation sim, TaskSimSite site, int round) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{sim.Seed}/{site.Id}/{round}"));

    private string FailedRound(TaskSimScenario scenario)
    {
        var sim = new TaskSimulation(scenario, 7);
        var result = sim.Run();
        output.WriteLine(result.Report);
        var live = sim.Sites.Where(s => !s.Dropped).ToList();
        Assert.All(live, site =>
        {
            Assert.Empty(site.Adopted);
            Assert.Equal(TaskState.Cancelled, site.Ended);
        });
        var cancellation = live[0].Site!.Chain.Cancellation;
        Assert.NotNull(cancellation);
        output.WriteLine(cancellation.Reason);
        return cancellation.Reason;
    }

    private TaskSimulation Run(TaskSimScenario scenario, ulong seed)
    {
        var sim = new TaskSimulation(scenario, seed);
        var result = sim.Run();
        output.WriteLine(result.Report);
        output.WriteLine($"chain request bytes {sim.ChainRequestBytes}");
        Assert.True(result.Ok, result.Report);
        Assert.Null(result.StalledOn);
        return sim;
    }

    private static ulong[] Sum(IEnumerable<ulong[]> vectors)
    {
        ulong[]? total = null;
        foreach (var vector in vectors)
        {
            total ??= new ulong[vector.Length];
            for (var i = 0; i < vector.Length; i++)
            {
                total[i] = unchecked(total[i] + vector[i]);
            }
        }
        return total!;
    }

    private static void Subtract(ulong[] target, ulong[] share)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = unchecked(target[i] - share[i]);
        }
    }

    private static double[] Words(ulong[] words) => [.. words.Select(w => (double)unchecked((long)w))];
}
