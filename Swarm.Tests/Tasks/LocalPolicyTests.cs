using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

public sealed class LocalPolicyTests
{
    private static TaskSpec Spec(Func<TaskSpec, TaskSpec>? change = null)
    {
        var spec = new TaskSpec
        {
            Id = "pneumonia-1",
            Model = "smallcnn",
            Participants = ["a", "b"],
            Datasets = new Dictionary<string, string> { ["a"] = "pneumoniamnist", ["b"] = "pneumoniamnist" },
            Rounds = 5,
        };
        return change is null ? spec : change(spec);
    }

    private static readonly LocalPolicy Open = new(["pneumoniamnist"]);

    [Fact]
    public void A_valid_task_within_policy_gets_consent()
    {
        Assert.True(Open.Evaluate(Spec(), "a").Consents);
    }

    [Fact]
    public void A_node_that_is_not_a_participant_refuses()
    {
        var decision = Open.Evaluate(Spec(), "z");

        Assert.False(decision.Consents);
        Assert.Contains("not a participant", decision.Reason);
    }

    [Fact]
    public void A_data_set_outside_the_allowed_list_is_refused_by_name()
    {
        var decision = new LocalPolicy(["breastmnist"]).Evaluate(Spec(), "a");

        Assert.False(decision.Consents);
        Assert.Contains("'pneumoniamnist' is not allowed", decision.Reason);
    }

    [Fact]
    public void Too_many_rounds_are_refused()
    {
        var decision = (Open with { MaxRounds = 3 }).Evaluate(Spec(), "a");

        Assert.Contains("at most 3", decision.Reason);
    }

    [Fact]
    public void A_node_that_requires_dp_refuses_a_task_without_it()
    {
        var policy = Open with { RequireDifferentialPrivacy = true };

        Assert.False(policy.Evaluate(Spec(), "a").Consents);
        // A task asking for DP is refused too, naming why, until rounds run DP-SGD: consenting to it would ship
        // updates without noise under a policy that requires noise.
        var dp = policy.Evaluate(Spec(s => s with { Privacy = new PrivacySpec(DifferentialPrivacy: true) }), "a");
        Assert.False(dp.Consents);
        Assert.Contains("differential-privacy = true is not supported yet", dp.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_specs_are_refused_with_every_problem_named()
    {
        var decision = Open.Evaluate(Spec(s => s with { Model = "vgg", PartialShareFraction = 0, Quorum = 9 }), "a");

        Assert.False(decision.Consents);
        Assert.Contains("task.model 'vgg'", decision.Reason);
        Assert.Contains("task.partial-share-fraction", decision.Reason);
        Assert.Contains("task.quorum 9", decision.Reason);
    }

    [Fact]
    public void A_participant_without_a_data_set_is_a_spec_problem()
    {
        var problems = TaskSpecValidator.Problems(Spec(s => s with { Participants = ["a", "b", "c"] }));

        Assert.Contains("task.datasets has no data set for participant 'c'", problems);
    }

    [Fact]
    public void Privacy_the_rounds_do_not_honour_yet_is_refused_not_silently_ignored()
    {
        var dp = TaskSpecValidator.Problems(Spec(s => s with { Privacy = new PrivacySpec(DifferentialPrivacy: true) }));
        var secAgg = TaskSpecValidator.Problems(Spec(s => s with { Privacy = new PrivacySpec(SecureAggregation: true) }));

        Assert.Contains(dp, p => p.StartsWith("task.privacy.differential-privacy = true is not supported yet", StringComparison.Ordinal));
        Assert.Contains(secAgg, p => p.StartsWith("task.privacy.secure-aggregation = true is not supported yet", StringComparison.Ordinal));
        Assert.Empty(TaskSpecValidator.Problems(Spec(s => s)));
    }
}
