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
    public void A_node_that_requires_dp_consents_to_local_dp_and_to_dopamine_only_under_secure_aggregation()
    {
        var policy = Open with { RequireDifferentialPrivacy = true };

        var none = policy.Evaluate(Spec(), "a");
        Assert.False(none.Consents);
        Assert.Contains("runs privacy mode 'none'", none.Reason, StringComparison.Ordinal);
        Assert.True(policy.Evaluate(Spec(s => s with { Privacy = new PrivacySpec(PrivacyModes.Local) }), "a").Consents);
        // Dopamine's noise is split across the sites: without secure aggregation each update would leave nearly bare.
        var bare = policy.Evaluate(Spec(s => s with { Privacy = new PrivacySpec(PrivacyModes.Dopamine) }), "a");
        Assert.False(bare.Consents);
        Assert.Contains("task.privacy.mode = dopamine needs task.privacy.secure-aggregation = true", bare.Reason, StringComparison.Ordinal);
        Assert.True(policy.Evaluate(Dopamine(), "a").Consents);
    }

    /// <summary>A Dopamine spec the validator accepts: three sites, secure aggregation, plain SGD, one local epoch.</summary>
    private static TaskSpec Dopamine() => Spec(s => s with
    {
        Participants = ["a", "b", "c"],
        Datasets = new Dictionary<string, string> { ["a"] = "pneumoniamnist", ["b"] = "pneumoniamnist", ["c"] = "pneumoniamnist" },
        Optimizer = new OptimizerSpec("sgd", 0.5, Momentum: 0),
        Privacy = new PrivacySpec(PrivacyModes.Dopamine, SecureAggregation: true),
    });

    [Fact]
    public void A_node_with_a_budget_refuses_a_task_without_dp_and_a_task_whose_delta_is_over_it()
    {
        var policy = Open with { Budget = new PrivacyBudget(3, 1e-5) };

        var none = policy.Evaluate(Spec(), "a");
        Assert.False(none.Consents);
        Assert.Contains("has a privacy budget", none.Reason, StringComparison.Ordinal);
        var wideDelta = policy.Evaluate(Spec(s => s with { Privacy = new PrivacySpec(PrivacyModes.Local, Delta: 1e-4) }), "a");
        Assert.False(wideDelta.Consents);
        Assert.Contains("δ = 0.0001 is over", wideDelta.Reason, StringComparison.Ordinal);
        Assert.True(policy.Evaluate(Spec(s => s with { Privacy = new PrivacySpec(PrivacyModes.Local, Delta: 1e-5) }), "a").Consents);
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
    public void Dopamine_is_refused_without_secure_aggregation_plain_sgd_or_one_step_a_round_with_the_reasons()
    {
        var bare = TaskSpecValidator.Problems(Spec(s => s with { Privacy = new PrivacySpec(PrivacyModes.Dopamine) }));
        Assert.Contains(bare, p => p.StartsWith("task.privacy.mode = dopamine needs task.privacy.secure-aggregation = true", StringComparison.Ordinal));
        var adam = TaskSpecValidator.Problems(Dopamine() with { Optimizer = new OptimizerSpec("adam") });
        Assert.Contains(adam, p => p.StartsWith("task.privacy.mode = dopamine needs task.optimizer.name = sgd with momentum = 0", StringComparison.Ordinal));
        var momentum = TaskSpecValidator.Problems(Dopamine() with { Optimizer = new OptimizerSpec("sgd", 0.5, Momentum: 0.9) });
        Assert.Contains(momentum, p => p.Contains("(it has sgd, momentum 0.9)", StringComparison.Ordinal));
        var epochs = TaskSpecValidator.Problems(Dopamine() with { LocalEpochs = 2 });
        Assert.Contains(epochs, p => p.StartsWith("task.local-epochs 2 must be 1 under task.privacy.mode = dopamine", StringComparison.Ordinal));
        Assert.Empty(TaskSpecValidator.Problems(Dopamine()));
        Assert.Empty(TaskSpecValidator.Problems(Spec(s => s)));
        Assert.Empty(TaskSpecValidator.Problems(Spec(s => s with { Privacy = new PrivacySpec(PrivacyModes.Local) })));
    }

    [Fact]
    public void Local_dp_is_refused_for_a_model_without_per_example_gradients_and_for_bad_parameters()
    {
        var batchNorm = TaskSpecValidator.Problems(Spec(s => s with { Model = "resnet18", Privacy = new PrivacySpec(PrivacyModes.Local) }));
        var noNoise = TaskSpecValidator.Problems(Spec(s => s with { Privacy = new PrivacySpec(PrivacyModes.Local, NoiseMultiplier: 0) }));
        var noClip = TaskSpecValidator.Problems(Spec(s => s with { Privacy = new PrivacySpec(PrivacyModes.Local, ClipNorm: -1) }));
        var unknown = TaskSpecValidator.Problems(Spec(s => s with { Privacy = new PrivacySpec("central") }));

        Assert.Contains(batchNorm, p => p.Contains("model 'resnet18' does not give", StringComparison.Ordinal));
        Assert.Contains(noNoise, p => p.StartsWith("task.privacy.noise-multiplier 0 must be in (0, ", StringComparison.Ordinal));
        Assert.Contains(noClip, p => p.StartsWith("task.privacy.clip-norm -1 must be positive", StringComparison.Ordinal));
        Assert.Contains(unknown, p => p.StartsWith("task.privacy.mode 'central' must be one of none, local, dopamine", StringComparison.Ordinal));
    }
    [Fact]
    public void A_submitter_outside_allowed_submitters_is_refused_naming_the_key_and_the_node_itself_always_may_submit()
    {
        var policy = Open with { AllowedSubmitters = ["b"] };

        var decision = policy.Evaluate(Spec(), "a", submitter: "z");

        Assert.False(decision.Consents);
        Assert.Equal("node 'a' does not take tasks submitted by 'z' (policy.allowed-submitters = [b])", decision.Reason);
        Assert.True(policy.Evaluate(Spec(), "a", submitter: "b").Consents);
        Assert.True(policy.Evaluate(Spec(), "a", submitter: "a").Consents);
        Assert.True(Open.Evaluate(Spec(), "a", submitter: "z").Consents);
    }

    [Fact]
    public void A_co_participant_outside_allowed_co_participants_is_refused_naming_it_and_the_key()
    {
        var policy = Open with { AllowedCoParticipants = ["c"] };

        var decision = policy.Evaluate(Spec(), "a");

        Assert.False(decision.Consents);
        Assert.Equal("node 'a' does not train with 'b' (policy.allowed-co-participants = [c])", decision.Reason);
        Assert.True((Open with { AllowedCoParticipants = ["b", "c"] }).Evaluate(Spec(), "a").Consents);
    }

    [Fact]
    public void Too_few_participants_are_refused_naming_the_key()
    {
        var decision = (Open with { MinParticipants = 3 }).Evaluate(Spec(), "a");

        Assert.False(decision.Consents);
        Assert.Equal("task has 2 participants; node 'a' requires at least 3 (policy.min-participants)", decision.Reason);
        Assert.True((Open with { MinParticipants = 2 }).Evaluate(Spec(), "a").Consents);
    }

    [Fact]
    public void A_batch_below_the_minimum_is_refused_naming_the_key()
    {
        var policy = Open with { MinBatchSize = 32 };

        var decision = policy.Evaluate(Spec(s => s with { Optimizer = new OptimizerSpec(BatchSize: 1) }), "a");

        Assert.False(decision.Consents);
        Assert.Equal("task's batch size 1 is below node 'a''s minimum 32 (policy.min-batch-size)", decision.Reason);
        Assert.True(policy.Evaluate(Spec(s => s with { Optimizer = new OptimizerSpec(BatchSize: 32) }), "a").Consents);
    }

    [Fact]
    public void Too_many_local_epochs_are_refused_naming_the_key()
    {
        var policy = Open with { MaxLocalEpochs = 2 };

        var decision = policy.Evaluate(Spec(s => s with { LocalEpochs = 3 }), "a");

        Assert.False(decision.Consents);
        Assert.Equal("task asks for 3 local epochs per round; node 'a' allows at most 2 (policy.max-local-epochs)", decision.Reason);
        Assert.True(policy.Evaluate(Spec(s => s with { LocalEpochs = 2 }), "a").Consents);
    }

    [Fact]
    public void A_model_outside_allowed_models_is_refused_naming_the_key()
    {
        var policy = Open with { AllowedModels = ["resnet18-gn"] };

        var decision = policy.Evaluate(Spec(), "a");

        Assert.False(decision.Consents);
        Assert.Equal("model 'smallcnn' is not allowed on node 'a' (policy.allowed-models = [resnet18-gn])", decision.Reason);
        Assert.True(policy.Evaluate(Spec(s => s with { Model = "resnet18-gn" }), "a").Consents);
    }

    [Fact]
    public void Every_older_rule_names_its_key_too()
    {
        Assert.EndsWith("(policy.allowed-datasets)", new LocalPolicy(["breastmnist"]).Evaluate(Spec(), "a").Reason, StringComparison.Ordinal);
        Assert.EndsWith("(policy.max-rounds)", (Open with { MaxRounds = 3 }).Evaluate(Spec(), "a").Reason, StringComparison.Ordinal);
        Assert.Contains("policy.require-differential-privacy", (Open with { RequireDifferentialPrivacy = true }).Evaluate(Spec(), "a").Reason, StringComparison.Ordinal);
        Assert.Contains("policy.require-secure-aggregation", (Open with { RequireSecureAggregation = true }).Evaluate(Spec(), "a").Reason, StringComparison.Ordinal);
        Assert.EndsWith("(policy.max-partial-share)", (Open with { MaxPartialShareFraction = 0.5 }).Evaluate(Spec(), "a").Reason, StringComparison.Ordinal);
    }
}
