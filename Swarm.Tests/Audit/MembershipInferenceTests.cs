using Swarm.Learning.Audit;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Xunit.Abstractions;

namespace Swarm.Tests.Audit;

/// <summary>Issue 14's membership-inference attack on a trained model: it tells members from non-members of an
/// overfitted model, and DP-SGD at a stated ε takes that away.</summary>
public sealed class MembershipInferenceTests(ITestOutputHelper output)
{
    // BreastMNIST (546 training images): 128 members trained on for 60 epochs with no early stopping (the model
    // overfits: the attacker's best case), 288 non-members, one reference model on the remaining 128.
    private static readonly MembershipSettings Settings = new(Members: 128, NonMembers: 288, Epochs: 60, References: 1);

    private static MembershipOutcome Attack(MembershipSettings settings, string dataset = "breastmnist")
    {
        var splits = MedMnist.Load(dataset);
        return MembershipInference.Run(() => TorchTrainer.Create("smallcnn", 1, 2, 28, 11), splits, settings);
    }

    [Fact]
    public void The_attack_tells_members_of_an_overfitted_model_and_dp_sgd_takes_that_away()
    {
        var plain = Attack(Settings);
        // Seeded noise makes the run repeat exactly; the attack sees the same distribution as with the CSPRNG.
        var dp = Attack(Settings with { Dp = new DpOptions(1.0, 5.0, 32.0 / 128) { Randomness = NoiseRandomness.Seeded } });

        output.WriteLine($"plain: loss AUC {plain.LossThresholdAuc:F3}, calibrated AUC {plain.CalibratedAuc:F3}, test AUC {plain.TargetTestAuc:F3}");
        output.WriteLine($"DP (ε = {dp.Epsilon:F2}): loss AUC {dp.LossThresholdAuc:F3}, calibrated AUC {dp.CalibratedAuc:F3}, test AUC {dp.TargetTestAuc:F3}");
        Assert.True(Math.Max(plain.LossThresholdAuc, plain.CalibratedAuc) > 0.6);
        Assert.True(dp.LossThresholdAuc <= 0.55 && dp.CalibratedAuc <= 0.55);
    }

    [Fact]
    public void Auc_is_the_chance_that_a_member_outscores_a_non_member()
    {
        Assert.Equal(1.0, MembershipInference.Auc([3, 4], [1, 2]));
        Assert.Equal(0.5, MembershipInference.Auc([1, 2], [1, 2]));
        Assert.Equal(0.75, MembershipInference.Auc([2, 4], [1, 3]));
    }

    [Fact]
    public void A_different_class_mix_of_members_and_non_members_is_not_taken_for_membership()
    {
        // Scores that depend on the class only: pooled, the members (mostly class 1) look like members; class by
        // class there is nothing to find.
        double[] members = [1, 1, 1, 0];
        double[] nonMembers = [1, 0, 0, 0];
        Assert.Equal(0.75, MembershipInference.Auc(members, nonMembers));
        Assert.Equal(0.5, MembershipInference.ClassBalancedAuc(members, [1, 1, 1, 0], nonMembers, [1, 0, 0, 0]));
    }

    [Fact]
    public void Slices_that_do_not_fit_the_split_are_refused_with_the_count()
    {
        var error = Assert.Throws<ArgumentException>(() => Attack(Settings with { Members = 200 }));
        Assert.Contains("200 members, 288 non-members and 1 reference slices need 688 training images; the split has 546", error.Message, StringComparison.Ordinal);
    }
}
