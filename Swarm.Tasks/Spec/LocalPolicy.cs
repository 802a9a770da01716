namespace Swarm.Tasks;

/// <summary>
/// What an institution allows on its node: the data sets it will train on, the longest task it accepts, the
/// privacy it requires and its privacy budget. A node consents to a task only if the task satisfies its policy,
/// judged on what the task will actually run (the validator refuses privacy modes that rounds do not honour, so a
/// spec that passes runs what it says).
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

    /// <summary>Consent, or a refusal whose reason names the rule the task breaks.</summary>
    public PolicyDecision Evaluate(TaskSpec spec, string self)
    {
        if (!spec.Participants.Contains(self))
        {
            return PolicyDecision.Refuse($"node '{self}' is not a participant of task '{spec.Id}'");
        }
        var problems = TaskSpecValidator.Problems(spec);
        if (problems.Count > 0)
        {
            return PolicyDecision.Refuse($"task '{spec.Id}' is invalid: {string.Join("; ", problems)}");
        }
        var dataset = spec.Datasets[self];
        if (!AllowedDatasets.Contains(dataset))
        {
            return PolicyDecision.Refuse($"data set '{dataset}' is not allowed on node '{self}'");
        }
        if (spec.Rounds > MaxRounds)
        {
            return PolicyDecision.Refuse($"task asks for {spec.Rounds} rounds; node '{self}' allows at most {MaxRounds}");
        }
        if (RequireDifferentialPrivacy && spec.Privacy.Mode != PrivacyModes.Local)
        {
            return PolicyDecision.Refuse(
                $"node '{self}' requires differential privacy; the task runs privacy mode '{spec.Privacy.Mode}' (set task.privacy.mode = local)");
        }
        if (Budget is { } budget && spec.Privacy.Mode != PrivacyModes.Local)
        {
            return PolicyDecision.Refuse(
                $"node '{self}' has a privacy budget (ε = {budget.Epsilon}); a task without DP (privacy mode '{spec.Privacy.Mode}') has no finite ε");
        }
        if (Budget is { } limit && spec.Privacy.Delta > limit.Delta)
        {
            return PolicyDecision.Refuse($"task's δ = {spec.Privacy.Delta} is over node '{self}''s budget δ = {limit.Delta}");
        }
        if (RequireSecureAggregation && !spec.Privacy.SecureAggregation)
        {
            return PolicyDecision.Refuse($"node '{self}' requires secure aggregation (task.privacy.secure-aggregation = true)");
        }
        if (spec.PartialShareFraction > MaxPartialShareFraction)
        {
            return PolicyDecision.Refuse(
                $"task shares θ = {spec.PartialShareFraction} of each update; node '{self}' allows at most {MaxPartialShareFraction}");
        }
        return PolicyDecision.Consent;
    }
}

/// <summary>A node's answer to a task: consent, or a refusal with its reason.</summary>
public sealed record PolicyDecision(bool Consents, string? Reason)
{
    public static PolicyDecision Consent { get; } = new(true, null);

    public static PolicyDecision Refuse(string reason) => new(false, reason);
}
