namespace Swarm.Tasks;

/// <summary>
/// What an institution allows on its node: the data sets it will train on, who may submit tasks to it and whom it
/// trains with, the shape of the tasks it accepts (rounds, participants, batch size, local epochs, models), the
/// privacy it requires and its privacy budget, and whether its operator approves each task by hand. A node
/// consents to a task only if the task satisfies its policy, judged on what the task will actually run (the
/// validator refuses privacy modes that rounds do not honour, so a spec that passes runs what it says). Every
/// refusal names the <c>policy.*</c> key it breaks, so the submitter knows what to change or whom to ask.
/// </summary>
public sealed record LocalPolicy(
    IReadOnlyList<string> AllowedDatasets,
    int MaxRounds = 1_000,
    bool RequireDifferentialPrivacy = false,
    bool RequireSecureAggregation = false,
    double MaxPartialShareFraction = 1.0)
{
    /// <summary>The node's privacy budget (ε, δ) per task; null: no budget. With a budget the node consents only
    /// to local-DP tasks whose δ is at most the budget's, and its site stops the task before a round that would take
    /// its ε past the budget's.</summary>
    public PrivacyBudget? Budget { get; init; }

    /// <summary>Whether a task that passes every rule still waits for the operator (<see cref="ApprovalMode.Manual"/>).</summary>
    public ApprovalMode Approval { get; init; } = ApprovalMode.Auto;

    /// <summary>Nodes whose submissions this node considers; empty: any member. This node itself (its own
    /// operator, who holds its admin token) is always allowed.</summary>
    public IReadOnlyList<string> AllowedSubmitters { get; init; } = [];

    /// <summary>Nodes this node trains with; empty: any member. Every other participant must be listed.</summary>
    public IReadOnlyList<string> AllowedCoParticipants { get; init; } = [];

    /// <summary>Fewest participants (this node included): with fewer, an update says more about one site's data.</summary>
    public int MinParticipants { get; init; } = 1;

    /// <summary>Smallest local batch: an update of a tiny batch is close to a single image's gradient.</summary>
    public int MinBatchSize { get; init; } = 1;

    /// <summary>Most local epochs per round.</summary>
    public int MaxLocalEpochs { get; init; } = 1_000;

    /// <summary>Models this node trains; empty: any model of the zoo.</summary>
    public IReadOnlyList<string> AllowedModels { get; init; } = [];

    /// <summary>The most training samples this node declares for a task (its FedAvg weight, fixed for the task at
    /// consent); with more its consent is refused, naming both numbers. 0: no bound.</summary>
    public long SampleCountMax { get; init; }

    /// <summary>Consent, or a refusal whose reason names the rule the task breaks. <paramref name="submitter"/> is
    /// the node that asks (null when it does not matter, e.g. a check of the spec alone).</summary>
    public PolicyDecision Evaluate(TaskSpec spec, string self, string? submitter = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!spec.Participants.Contains(self))
        {
            return PolicyDecision.Refuse($"node '{self}' is not a participant of task '{spec.Id}'");
        }
        var problems = TaskSpecValidator.Problems(spec);
        if (problems.Count > 0)
        {
            return PolicyDecision.Refuse($"task '{spec.Id}' is invalid: {string.Join("; ", problems)}");
        }
        return WhoProblem(spec, self, submitter) ?? ShapeProblem(spec, self) ?? PrivacyProblem(spec, self) ?? PolicyDecision.Consent;
    }

    /// <summary>The submitter and the other participants.</summary>
    private PolicyDecision? WhoProblem(TaskSpec spec, string self, string? submitter)
    {
        if (submitter is not null && submitter != self && AllowedSubmitters.Count > 0 && !AllowedSubmitters.Contains(submitter))
        {
            return PolicyDecision.Refuse(
                $"node '{self}' does not take tasks submitted by '{submitter}' (policy.allowed-submitters = [{string.Join(", ", AllowedSubmitters)}])");
        }
        var strangers = spec.Participants.Where(p => p != self && AllowedCoParticipants.Count > 0 && !AllowedCoParticipants.Contains(p)).ToList();
        if (strangers.Count > 0)
        {
            return PolicyDecision.Refuse(
                $"node '{self}' does not train with {string.Join(", ", strangers.Select(s => $"'{s}'"))} (policy.allowed-co-participants = [{string.Join(", ", AllowedCoParticipants)}])");
        }
        if (spec.Participants.Count < MinParticipants)
        {
            return PolicyDecision.Refuse(
                $"task has {spec.Participants.Count} participants; node '{self}' requires at least {MinParticipants} (policy.min-participants)");
        }
        return null;
    }

    /// <summary>The data set, the model and the training schedule.</summary>
    private PolicyDecision? ShapeProblem(TaskSpec spec, string self)
    {
        var dataset = spec.Datasets[self];
        if (!AllowedDatasets.Contains(dataset))
        {
            return PolicyDecision.Refuse($"data set '{dataset}' is not allowed on node '{self}' (policy.allowed-datasets)");
        }
        if (AllowedModels.Count > 0 && !AllowedModels.Contains(spec.Model))
        {
            return PolicyDecision.Refuse(
                $"model '{spec.Model}' is not allowed on node '{self}' (policy.allowed-models = [{string.Join(", ", AllowedModels)}])");
        }
        if (spec.Rounds > MaxRounds)
        {
            return PolicyDecision.Refuse($"task asks for {spec.Rounds} rounds; node '{self}' allows at most {MaxRounds} (policy.max-rounds)");
        }
        if (spec.LocalEpochs > MaxLocalEpochs)
        {
            return PolicyDecision.Refuse(
                $"task asks for {spec.LocalEpochs} local epochs per round; node '{self}' allows at most {MaxLocalEpochs} (policy.max-local-epochs)");
        }
        if (spec.Optimizer.BatchSize < MinBatchSize)
        {
            return PolicyDecision.Refuse(
                $"task's batch size {spec.Optimizer.BatchSize} is below node '{self}''s minimum {MinBatchSize} (policy.min-batch-size)");
        }
        return null;
    }

    /// <summary>Differential privacy, the budget, secure aggregation and partial sharing.</summary>
    private PolicyDecision? PrivacyProblem(TaskSpec spec, string self)
    {
        if (RequireDifferentialPrivacy && !spec.Privacy.DifferentialPrivacy)
        {
            return PolicyDecision.Refuse(
                $"node '{self}' requires differential privacy; the task runs privacy mode '{spec.Privacy.Mode}' (set task.privacy.mode = local or dopamine; policy.require-differential-privacy)");
        }
        if (Budget is { } budget && !spec.Privacy.DifferentialPrivacy)
        {
            return PolicyDecision.Refuse(
                $"node '{self}' has a privacy budget (ε = {budget.Epsilon}); a task without DP (privacy mode '{spec.Privacy.Mode}') has no finite ε (policy.privacy-budget-epsilon)");
        }
        if (Budget is { } limit && spec.Privacy.Delta > limit.Delta)
        {
            return PolicyDecision.Refuse($"task's δ = {spec.Privacy.Delta} is over node '{self}''s budget δ = {limit.Delta} (policy.privacy-budget-delta)");
        }
        if (RequireSecureAggregation && !spec.Privacy.SecureAggregation)
        {
            return PolicyDecision.Refuse(
                $"node '{self}' requires secure aggregation (task.privacy.secure-aggregation = true; policy.require-secure-aggregation)");
        }
        if (spec.PartialShareFraction > MaxPartialShareFraction)
        {
            return PolicyDecision.Refuse(
                $"task shares θ = {spec.PartialShareFraction} of each update; node '{self}' allows at most {MaxPartialShareFraction} (policy.max-partial-share)");
        }
        return null;
    }
}

/// <summary>A node's answer to a task: consent, or a refusal with its reason.</summary>
public sealed record PolicyDecision(bool Consents, string? Reason)
{
    public static PolicyDecision Consent { get; } = new(true, null);

    public static PolicyDecision Refuse(string reason) => new(false, reason);
}
