using Swarm.Tasks;

namespace Swarm.Node.Configuration;

/// <summary><c>policy { allowed-datasets, max-rounds, require-differential-privacy, require-secure-aggregation,
/// max-partial-share, privacy-budget-epsilon, privacy-budget-delta }</c>: what this institution consents to
/// (<see cref="LocalPolicy"/>).</summary>
public sealed record PolicySettings
{
    /// <summary>Data set names (as task specs write them) this node will train on; empty refuses every task.</summary>
    public IReadOnlyList<string> AllowedDatasets { get; init; } = [];

    [SettingRange(1, 10_000)]
    public int MaxRounds { get; init; }

    public bool RequireDifferentialPrivacy { get; init; }

    public bool RequireSecureAggregation { get; init; }

    /// <summary>The largest partial-share fraction θ accepted.</summary>
    [SettingRange(0, 1)]
    public double MaxPartialShare { get; init; }

    /// <summary>The ε a task may spend of this node's data under local DP; 0: no budget.</summary>
    [SettingRange(0, 1_000_000)]
    public double PrivacyBudgetEpsilon { get; init; }

    /// <summary>The largest task δ accepted with a budget.</summary>
    [SettingRange(0, 1)]
    public double PrivacyBudgetDelta { get; init; }

    public LocalPolicy ToPolicy() =>
        new(AllowedDatasets, MaxRounds, RequireDifferentialPrivacy, RequireSecureAggregation, MaxPartialShare)
        {
            Budget = PrivacyBudgetEpsilon > 0 ? new PrivacyBudget(PrivacyBudgetEpsilon, PrivacyBudgetDelta) : null,
        };
}
