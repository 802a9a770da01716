using Swarm.Learning.Training;
using Swarm.Learning.Updates;
using Swarm.Tasks;
using Swarm.Actors.Training;
using Xunit.Abstractions;

namespace Swarm.Tests.Training;

/// <summary>A Dopamine site's trainer (real SmallCnn DP-SGD): one step a round, Δ = −lr · (clipped sum + noise) / b,
/// with noise of standard deviation σC/√m, drawn from the OS CSPRNG.</summary>
public sealed class DopamineSiteTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void A_dopamine_site_takes_one_dp_step_a_round_with_its_share_sigma_c_over_root_m_of_the_noise()
    {
        const double sigma = 1.0;
        const double clip = 2.0;
        const int m = 4;
        const int batch = 8;
        var settings = SyntheticSites.Settings() with
        {
            Options = SyntheticSites.Settings().Options with { Optimizer = OptimizerKind.Sgd, LearningRate = 1.0, Momentum = 0, BatchSize = batch },
            Privacy = new PrivacySpec(PrivacyModes.Dopamine, sigma, clip, SecureAggregation: true),
            NoiseShares = m,
            Schedule = LearningRateSchedule.Constant,
        };
        using var site = new SiteTrainer("site-0", 0, SyntheticSites.Model(), SyntheticSites.Data(0), settings);
        var global = SyntheticSites.InitialModel();

        var first = site.Train(new TrainIns(1, global, 1, 0, 1, 1.0));
        var second = site.Train(new TrainIns(1, global, 1, 0, 1, 1.0));

        Assert.Equal(1, first.DpSteps);
        Assert.Equal(sigma / Math.Sqrt(m), site.Dp!.NoiseMultiplier);
        // Δ · b / lr is the clipped sum (norm ≤ C · batch, spread over ~10⁵ coordinates) plus the noise N(0, (σC/√m)²).
        var delta = UpdateCodec.Decode(first.Update.Bytes).ToDense().Select(v => -(double)v * batch).ToList();
        var mean = delta.Average();
        var std = Math.Sqrt(delta.Sum(v => (v - mean) * (v - mean)) / (delta.Count - 1));
        output.WriteLine($"{delta.Count} coordinates: std of Δ·b/lr {std:F4}, σC/√m = {sigma * clip / Math.Sqrt(m):F4}");
        Assert.InRange(std / (sigma * clip / Math.Sqrt(m)), 0.97, 1.05);
        // Private mode: the same site, model and seed draw different noise.
        Assert.NotEqual(first.Update.Hash, second.Update.Hash);
    }
}
