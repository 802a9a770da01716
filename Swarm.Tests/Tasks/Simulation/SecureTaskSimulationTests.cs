using Swarm.Learning.Aggregation;
using Swarm.Learning.Privacy.SecureAggregation;
using Swarm.Tasks;
using Xunit.Abstractions;
using static Swarm.Tests.Privacy.Uniformity;

namespace Swarm.Tests.Tasks.Simulation;

/// <summary>Secure aggregation inside the task rounds, on the deterministic task simulator: every site ends on one
/// model equal (within the fixed-point resolution) to plain FedAvg of the same updates, dropouts after dealing
/// shares or after masking do not stop a round while t sites remain, and what crossed the wire is uniform.</summary>
public sealed class SecureTaskSimulationTests(ITestOutputHelper output)
{
    /// <summary>|secure − plain| per coordinate: the fixed-point rounding (n·2^−25/Σw, far below this) plus the float
    /// rounding of w·Δ and of the plain sum (relative 2^−24 of values below 0.2).</summary>
    private const double Tolerance = 1e-6;

    [Fact]
    public void A_secure_task_ends_on_one_model_equal_to_plain_fedavg_of_the_same_updates()
    {
        var sim = Run(new TaskSimScenario(4, 1, 4, 3, 0.1, 50, new Dictionary<int, TaskLie>(), []) { SecureAggregation = true }, 11);
        AssertSameModelAsPlainFedAvg(sim, rounds: 3);
    }

    [Theory]
    [InlineData(4, SecAggDrop.AfterMasking, new[] { 2 })]
    [InlineData(4, SecAggDrop.AfterShares, new[] { 1 })]
    [InlineData(7, SecAggDrop.AfterMasking, new[] { 1, 5 })]
    [InlineData(7, SecAggDrop.AfterShares, new[] { 0, 6 })]
    public void A_round_completes_when_sites_drop_out_of_secure_aggregation_and_t_remain(int n, SecAggDrop when, int[] dropped)
    {
        var scenario = new TaskSimScenario(n, (n - 1) / 3, n, 3, 0.0, 50, new Dictionary<int, TaskLie>(), [])
        {
            SecureAggregation = true,
            SecAggDrops = dropped.ToDictionary(site => site, _ => when),
        };
        var sim = Run(scenario, 21);
        var chain = sim.Sites.First(s => !s.Dropped).Site!.Chain;
        var round1 = chain.Finalized[0].Included.Select(u => u.Site).ToList();
        if (when == SecAggDrop.AfterMasking)
        {
            // The dropped sites' masked updates are in the sum; others rebuilt their self-masks from the shares.
            Assert.All(dropped, site => Assert.Contains($"site-{site}", round1));
        }
        else
        {
            Assert.All(dropped, site => Assert.DoesNotContain($"site-{site}", round1));
        }
        AssertSameModelAsPlainFedAvg(sim, rounds: 3);
    }

    [Fact]
    public void Too_many_dropouts_leave_the_round_unfinished_and_no_site_adopts_a_model()
    {
        // n = 4, t = 3: with two sites gone after dealing shares only two masked updates exist, fewer than t.
        var scenario = new TaskSimScenario(4, 1, 4, 3, 0.0, 50, new Dictionary<int, TaskLie>(), [])
        {
            SecureAggregation = true,
            SecAggDrops = new Dictionary<int, SecAggDrop> { [0] = SecAggDrop.AfterShares, [3] = SecAggDrop.AfterShares },
        };
        var sim = new TaskSimulation(scenario, 5);
        sim.Run();
        Assert.All(sim.Sites.Where(s => !s.Dropped), site =>
        {
            Assert.Empty(site.Adopted);
            Assert.Null(site.Site!.Chain.CurrentClosed);
        });
    }

    [Fact]
    public void The_masked_update_a_peer_received_in_a_round_is_uniform_and_the_plain_one_would_not_be()
    {
        var scenario = new TaskSimScenario(4, 1, 4, 1, 0.0, 50, new Dictionary<int, TaskLie>(), []) { SecureAggregation = true, ModelLength = 8192 };
        var sim = Run(scenario, 31);
        var publisher = sim.Sites[0];
        var peer = sim.Sites[1];
        var included = peer.Site!.Chain.Finalized[0].Included.Single(u => u.Site == publisher.Id);
        var onTheWire = peer.Blobs[(BlobKind.Update, included.Hash)];
        var plain = publisher.Trained[1];
        Assert.DoesNotContain(plain.Hash, peer.Blobs.Keys.Select(k => k.Item2));
        // What masking hides: the same weighted update as the codec encodes it, unmasked, is far from uniform.
        var unmasked = new ulong[scenario.ModelLength];
        Assert.True(FixedPointCodec.Default.TryEncode(SecureRound.Weighted(plain.Bytes, plain.SampleCount), unmasked, out _));
        var chiMasked = ChiSquareOfBytes(onTheWire);
        var chiPlain = ChiSquareOfBytes(SecureRound.Encode(unmasked));
        output.WriteLine($"χ² over 255 degrees of freedom: masked blob {chiMasked:F1}, the same update unmasked {chiPlain:F1} (critical 330.5 at p = 0.001)");
        Assert.True(chiMasked < ChiSquare255Critical, $"the masked blob's bytes are not uniform: χ² = {chiMasked}");
        Assert.True(chiPlain > ChiSquare255Critical, $"control: the unmasked encoding should fail the test, χ² = {chiPlain}");
        Assert.True(Math.Abs(Correlation(onTheWire, SecureRound.Encode(unmasked))) < 0.05);
    }

    [Fact]
    public void A_secure_task_survives_loss_and_delay_over_twenty_seeds()
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var scenario = new TaskSimScenario(4, 1, seed % 2 == 0 ? 4 : 3, 2, seed % 3 == 0 ? 0.1 : 0.0, 1 + (long)(seed * 7 % 150),
                new Dictionary<int, TaskLie>(), []) { SecureAggregation = true };
            var result = new TaskSimulation(scenario, seed).Run();
            Assert.True(result.Ok && result.StalledOn is null && result.RoundsAdopted == 2, result.Report);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    public void Drawn_fault_schedules_under_secure_aggregation_stay_safe(int n)
    {
        var seeds = Consensus.Simulation.SimulationSeeds.FromEnvironment() is { } only ? [only] : Enumerable.Range(1, 100).Select(i => (ulong)i);
        var failures = new List<string>();
        var stalled = 0;
        foreach (var seed in seeds)
        {
            var result = new TaskSimulation(TaskSimScenario.Draw(n, seed) with { SecureAggregation = true }, seed).Run();
            stalled += result.StalledOn is null ? 0 : 1;
            if (!result.Ok)
            {
                failures.Add(result.Report);
            }
        }
        output.WriteLine($"n={n}: {failures.Count} failed, {stalled} stalled");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(3)));
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

    /// <summary>Every live site adopted the same model each round, and it is plain FedAvg (the strategy the rounds use
    /// in the clear) of the included sites' unmasked updates at the previous global model.</summary>
    private static void AssertSameModelAsPlainFedAvg(TaskSimulation sim, int rounds)
    {
        var live = sim.Sites.Where(s => !s.Dropped).ToList();
        var chain = live[0].Site!.Chain;
        Assert.Equal(rounds, chain.Finalized.Count);
        var global = sim.Initial.ToArray();
        foreach (var final in chain.Finalized)
        {
            var updates = final.Included.Select(u => sim.Sites.Single(s => s.Id == u.Site).Trained[final.Round]).ToList();
            var plain = RoundAggregate.Compute(new FedAvg(), global, updates);
            var secure = live[0].AdoptedParameters[final.Round];
            Assert.All(live, site => Assert.Equal(final.ModelHash, site.Adopted[final.Round]));
            var worst = plain.Parameters.Select((p, i) => Math.Abs(p - secure[i])).Max();
            Assert.True(worst <= Tolerance, $"round {final.Round}: secure aggregate differs from plain FedAvg by {worst}");
            Assert.True(plain.Parameters.Select((p, i) => Math.Abs(p - global[i])).Max() > 1e-3, "the round moved the model");
            global = secure;
        }
    }
}
