using Swarm.Learning.Privacy;
using Swarm.Learning.Updates;
using Swarm.Tasks;
using Xunit.Abstractions;
using static Swarm.Tests.Privacy.Uniformity;

namespace Swarm.Tests.Tasks.Simulation;

/// <summary>Dopamine in the task rounds (docs/privacy.md, "Dopamine") on the deterministic task simulator: each site's
/// fake update carries its share N(0, σ²C²/m) of the noise, only masked vectors cross the wire, the sites sum them with
/// weight 1, and the chain accounts every round as one step of central DP-SGD.</summary>
public sealed class DopamineTaskSimulationTests(ITestOutputHelper output)
{
    private const double Delta = 1e-4;

    [Fact]
    public void A_dopamine_task_trains_and_every_site_ends_on_one_model_the_plain_mean_of_the_updates()
    {
        var sim = Run(Scenario(4, rounds: 3, modelLength: 32), 7);

        var chain = sim.Sites[0].Site!.Chain;
        Assert.Equal(3, chain.Finalized.Count);
        var global = sim.Initial.ToArray();
        foreach (var final in chain.Finalized)
        {
            Assert.All(sim.Sites, site => Assert.Equal(final.ModelHash, site.Adopted[final.Round]));
            var deltas = final.Included.Select(u => UpdateCodec.Decode(sim.Sites.Single(s => s.Id == u.Site).Trained[final.Round].Bytes).ToDense()).ToList();
            var adopted = sim.Sites[0].AdoptedParameters[final.Round];
            for (var i = 0; i < global.Length; i++)
            {
                // Weight 1 per site (not FedAvg's sample counts): the step of central DP-SGD (DopamineTerms).
                var mean = deltas.Average(d => (double)d[i]);
                Assert.True(Math.Abs(global[i] + mean - adopted[i]) < 1e-5, $"round {final.Round}, coordinate {i}: {adopted[i]} is not {global[i] + mean}");
            }
            global = adopted;
        }
        Assert.All(sim.Sites, site => Assert.Equal(TaskState.Completed, site.Site!.State));
    }

    [Fact]
    public void The_epsilon_in_the_blocks_equals_the_central_accountants_for_the_same_q_sigma_and_steps()
    {
        const int sites = 4;
        const int rounds = 5;
        var sim = Run(Scenario(sites, rounds, modelLength: 32), 3);

        // Central DP-SGD over the pooled data: q = expected total batch / total samples, σ of the sum, T = rounds.
        var q = sites * TaskSimScenario.DopamineBatch / (double)(sites * TaskSimScenario.DopamineSamples);
        var chain = sim.Sites[0].Site!.Chain;
        for (var round = 1; round <= rounds; round++)
        {
            var central = RdpAccountant.ComputeEpsilon(q, 1.0, round, Delta).Epsilon;
            foreach (var (site, claim) in chain.PrivacyOf(round))
            {
                output.WriteLine($"round {round} {site}: chain ε = {claim.Epsilon:F4} (q = {claim.SamplingRate}, σ = {claim.NoiseMultiplier}, T = {claim.Steps}); central {central:F4}");
                Assert.Equal(round, claim.Steps);
                Assert.True(Math.Abs(claim.Epsilon - central) <= 1e-2, $"{site} round {round}: ε {claim.Epsilon} vs central {central}");
            }
            Assert.Equal(sites, chain.PrivacyOf(round).Count);
        }
    }

    [Fact]
    public void A_peer_sees_only_a_uniform_masked_vector_and_the_revealed_sum_carries_noise_of_std_sigma_c()
    {
        const int sites = 4;
        const double sigmaC = 1.0 * 2.0;
        var scenario = Scenario(sites, rounds: 1, modelLength: 8192);
        var sim = Run(scenario, 31);
        var publisher = sim.Sites[0];
        var peer = sim.Sites[1];
        var final = peer.Site!.Chain.Finalized[0];
        var included = final.Included.Single(u => u.Site == publisher.Id);
        var onTheWire = peer.Blobs[(BlobKind.Update, included.Hash)];
        var plain = publisher.Trained[1];
        Assert.DoesNotContain(plain.Hash, peer.Blobs.Keys.Select(k => k.Item2));
        var unmasked = new ulong[scenario.ModelLength];
        Assert.True(Swarm.Learning.Privacy.SecureAggregation.FixedPointCodec.Default.TryEncode(SecureRound.Weighted(plain.Bytes, 1), unmasked, out _));
        var chiMasked = ChiSquareOfBytes(onTheWire);
        var correlation = Correlation(onTheWire, SecureRound.Encode(unmasked));
        output.WriteLine($"masked blob χ² = {chiMasked:F1} (critical {ChiSquare255Critical}), correlation with the site's noisy update {correlation:F4}");
        Assert.True(chiMasked < ChiSquare255Critical, $"the masked blob's bytes are not uniform: χ² = {chiMasked}");
        Assert.True(Math.Abs(correlation) < 0.05);

        // One site's own update holds only σC/√m of noise (why it must never leave unmasked); the revealed sum holds σC.
        var own = StandardDeviation(UpdateCodec.Decode(plain.Bytes).ToDense().Select(v => (double)v));
        var sum = sim.Sites[0].AdoptedParameters[1].Select((p, i) => sites * (double)(p - sim.Initial[i])).ToList();
        var sumStd = StandardDeviation(sum);
        output.WriteLine($"noise std: one site's update {own:F4} (σC/√m = {sigmaC / Math.Sqrt(sites):F4}), revealed sum {sumStd:F4} (σC = {sigmaC})");
        // 8192 coordinates: the std's standard error is about 0.8 %; the fake signal adds 0.3 %.
        Assert.InRange(sumStd / sigmaC, 0.97, 1.03);
        Assert.InRange(own / (sigmaC / Math.Sqrt(sites)), 0.97, 1.03);
    }

    [Fact]
    public void A_dopamine_round_does_not_close_with_fewer_updates_than_the_noise_needs()
    {
        // n = 4, quorum 4: t = 3 would let a round close without one site, whose share of the noise the sum would lack.
        var scenario = Scenario(4, rounds: 1, modelLength: 32) with { SecAggDrops = new Dictionary<int, SecAggDrop> { [2] = SecAggDrop.AfterShares } };
        var sim = new TaskSimulation(scenario, 5);
        sim.Run();
        Assert.All(sim.Sites.Where(s => !s.Dropped), site => Assert.Empty(site.Adopted));
    }

    private static TaskSimScenario Scenario(int n, int rounds, int modelLength) =>
        new(n, (n - 1) / 3, n, rounds, 0.0, 50, new Dictionary<int, TaskLie>(), [])
        {
            SecureAggregation = true,
            PrivacyMode = PrivacyModes.Dopamine,
            ModelLength = modelLength,
        };

    private TaskSimulation Run(TaskSimScenario scenario, ulong seed)
    {
        var sim = new TaskSimulation(scenario, seed);
        var result = sim.Run();
        output.WriteLine(result.Report);
        Assert.True(result.Ok, result.Report);
        Assert.Null(result.StalledOn);
        return sim;
    }

    private static double StandardDeviation(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        return Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
    }
}
