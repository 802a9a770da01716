using Swarm.Tasks;

namespace Swarm.Node.Configuration;

/// <summary><c>policy { approval, allowed-submitters, allowed-co-participants, min-participants, min-batch-size,
/// max-local-epochs, allowed-models, allowed-datasets, max-rounds, require-differential-privacy,
/// require-secure-aggregation, max-partial-share, privacy-budget-epsilon, privacy-budget-delta, sample-count-max }</c>: what this
/// institution consents to (<see cref="LocalPolicy"/>).</summary>
public sealed record PolicySettings
{
    /// <summary>auto: consent when the rules pass; manual: a task that passes waits for <c>swarm task approve</c>.</summary>
    public ApprovalMode Approval { get; init; }

    /// <summary>Nodes whose tasks this node considers; empty: any member (this node's own operator always).</summary>
    public IReadOnlyList<string> AllowedSubmitters { get; init; } = [];

    /// <summary>Nodes this node trains with; empty: any member.</summary>
    public IReadOnlyList<string> AllowedCoParticipants { get; init; } = [];

    [SettingRange(1, 1_024)]
    public int MinParticipants { get; init; }

    [SettingRange(1, 1_000_000)]
    public int MinBatchSize { get; init; }

    [SettingRange(1, 1_000)]
    public int MaxLocalEpochs { get; init; }

    /// <summary>Models this node trains; empty: any model of the zoo.</summary>
    public IReadOnlyList<string> AllowedModels { get; init; } = [];

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

    /// <summary>The most training samples this node declares at consent (its FedAvg weight); 0: no bound.</summary>
    [SettingRange(0, 1e15)]
    public long SampleCountMax { get; init; }

    public LocalPolicy ToPolicy() =>
        new(AllowedDatasets, MaxRounds, RequireDifferentialPrivacy, RequireSecureAggregation, MaxPartialShare)
        {
            Budget = PrivacyBudgetEpsilon > 0 ? new PrivacyBudget(PrivacyBudgetEpsilon, PrivacyBudgetDelta) : null,
            Approval = Approval,
            AllowedSubmitters = AllowedSubmitters,
            AllowedCoParticipants = AllowedCoParticipants,
            MinParticipants = MinParticipants,
            MinBatchSize = MinBatchSize,
            MaxLocalEpochs = MaxLocalEpochs,
            AllowedModels = AllowedModels,
            SampleCountMax = SampleCountMax,
        };
}
