using Swarm.Learning.Audit;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Xunit.Abstractions;

namespace Swarm.Tests.Audit;

public sealed class SwarmMembershipInferenceTests(ITestOutputHelper output)
{
    // BreastMNIST (546 training images): 4 sites of 64 images, 256 non-members, 30 rounds of one local epoch.
    private static readonly SwarmMembershipSettings Settings = new(Sites: 4, MembersPerSite: 64, NonMembers: 256, Rounds: 10, LocalEpochs: 3);

    private SwarmMembershipOutcome Attack(SwarmMembershipSettings settings, string label)
    {
        var outcome = SwarmMembershipInference.Run(() => TorchTrainer.Create("smallcnn", 1, 2, 28, 11), MedMnist.Load("breastmnist"), settings);
        output.WriteLine($"{label}: global model AUC {outcome.GlobalModelAuc:F3}, site update AUC {outcome.SiteUpdateAuc:F3}, " +
            $"sum of sites AUC {outcome.SumOfSitesAuc:F3}, ε {outcome.Epsilon?.ToString("F2") ?? "-"}, test AUC {outcome.GlobalTestAuc:F3}");
        return outcome;
    }

    [Fact]
    public void A_peer_tells_a_sites_members_from_its_update_and_the_sum_of_sites_hides_them()
    {
        var plain = Attack(Settings, "plain");
        Assert.True(plain.SiteUpdateAuc > 0.6, $"site update AUC {plain.SiteUpdateAuc:F3}");
        Assert.True(plain.SumOfSitesAuc < plain.SiteUpdateAuc - 0.05, $"sum {plain.SumOfSitesAuc:F3} vs site {plain.SiteUpdateAuc:F3}");
    }

    [Fact]
    public void Local_dp_sgd_takes_membership_away_from_the_global_model_and_the_update()
    {
        var dp = Attack(Settings with { Dp = new DpOptions(1.0, 2.0, 16.0 / 64) { Randomness = NoiseRandomness.Seeded } }, "dp");
        Assert.True(dp.GlobalModelAuc <= 0.55, $"global AUC {dp.GlobalModelAuc:F3}");
        Assert.True(dp.SiteUpdateAuc <= 0.55, $"site update AUC {dp.SiteUpdateAuc:F3}");
        Assert.NotNull(dp.Epsilon);
    }
}
