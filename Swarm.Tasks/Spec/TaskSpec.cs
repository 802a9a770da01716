namespace Swarm.Tasks;

/// <summary>
/// What a researcher asks for when starting a training task: model, data per site, participants, the round
/// schedule, aggregation, the partial-share fraction θ, the k-of-n quorum with its deadline, personalization
/// and privacy. It is the payload of the task chain's genesis block, so every participant trains under exactly
/// these terms.
/// </summary>
public sealed record TaskSpec
{
    public required string Id { get; init; }

    /// <summary>Model from the zoo (smallcnn, resnet18, resnet18-gn).</summary>
    public required string Model { get; init; }

    /// <summary>The node ids taking part, in the order the spec lists them.</summary>
    public required IReadOnlyList<string> Participants { get; init; }

    /// <summary>The data set each participant trains on (site id → data set name).</summary>
    public required IReadOnlyDictionary<string, string> Datasets { get; init; }

    public int Rounds { get; init; } = 10;

    public int LocalEpochs { get; init; } = 1;

    public OptimizerSpec Optimizer { get; init; } = new();

    public AggregationSpec Aggregation { get; init; } = new();

    /// <summary>θ: the fraction of each update's coordinates (largest magnitudes) that leaves a site.</summary>
    public double PartialShareFraction { get; init; } = 1.0;

    /// <summary>How the top-θ share is chosen: error feedback and the selection's scope.</summary>
    public SharingSpec Sharing { get; init; } = new();

    /// <summary>k of the k-of-n quorum: the updates needed to close a round before its deadline.</summary>
    public int Quorum { get; init; }

    public TimeSpan RoundDeadline { get; init; } = TimeSpan.FromMinutes(5);

    public PersonalizationSpec Personalization { get; init; } = new();

    public PrivacySpec Privacy { get; init; } = new();

    public int Seed { get; init; } = 1;

    /// <summary>What the task's data are (modality, body part, input shape, channels, labels); null when the spec
    /// does not say.</summary>
    public TaskMetadata? Metadata { get; init; }
    /// <summary>The model this task imports from another task's chain, and how it uses it; null: none.</summary>
    public TransferSpec? Transfer { get; init; }
    /// <summary>Null for a round task (<c>task.kind = rounds</c>, the default); the terms of a data-vector task
    /// (<c>task.kind = data-vectors</c>), which has no rounds.</summary>
    public DataVectorSpec? DataVectors { get; init; }
}

/// <summary>Local optimizer of every site.</summary>
public sealed record OptimizerSpec(string Name = "adam", double LearningRate = 1e-3, double Momentum = 0.9, double WeightDecay = 0, int BatchSize = 128);

/// <summary>Aggregation rule and its robustness parameters. <paramref name="SampleCountMax"/> bounds the training
/// sample count (FedAvg weight) a site may declare; 0 means no bound. Every replica refuses an update declaring
/// more, and a site's count is fixed for the task by its first update on the chain.</summary>
public sealed record AggregationSpec(string Strategy = "fedavg", int Byzantine = 1, double TrimFraction = 0.2, long SampleCountMax = 0);

/// <summary>How each site chooses its top-θ share (<see cref="TaskSpec.PartialShareFraction"/>):
/// <paramref name="ErrorFeedback"/> keeps the unsent part of Δ for the next round (Lin et al., ICLR 2018), and
/// <paramref name="Scope"/> is <c>global</c> (over the whole model) or <c>layer</c> (within every layer).</summary>
public sealed record SharingSpec(bool ErrorFeedback = true, string Scope = SharingSpec.GlobalScope)
{
    public const string GlobalScope = "global";
    public const string LayerScope = "layer";

    /// <summary>The scope names, in the order of their byte in the canonical encoding.</summary>
    public static IReadOnlyList<string> Scopes { get; } = [GlobalScope, LayerScope];
}

/// <summary>After the last round: none, fine-tune the global model locally, or FedPer (keep <paramref name="LocalLayers"/> local throughout).</summary>
public sealed record PersonalizationSpec(string Mode = "finetune", int Epochs = 2, IReadOnlyList<string>? LocalLayers = null);

/// <summary>Privacy options: the differential-privacy mode with its DP-SGD parameters, and secure aggregation.
/// <paramref name="Mode"/> is <c>none</c>; <c>local</c> (every site runs DP-SGD in every local step of every round:
/// Poisson sampling with q = batch size / the site's sample count, per-example clipping to
/// <paramref name="ClipNorm"/>, Gaussian noise of standard deviation <paramref name="NoiseMultiplier"/> × C; each site
/// accounts its own ε at <paramref name="Delta"/>); or <c>dopamine</c> (Malekzadeh et al. 2021, which needs secure
/// aggregation in rounds and is refused by the validator until that exists). <paramref name="SecretSharing"/>: every
/// round sums the updates by additive secret sharing over Z_2^64 (docs/privacy.md, "Secret sharing in the rounds"),
/// the other way than <paramref name="SecureAggregation"/> to keep single updates hidden; the two exclude each other.</summary>
public sealed record PrivacySpec(string Mode = PrivacyModes.None, double NoiseMultiplier = 1.0, double ClipNorm = 2.0, double Delta = 1e-4,
    bool SecureAggregation = false, bool SecretSharing = false)
{
    /// <summary>Whether some differential-privacy mode is asked for (not <c>none</c>).</summary>
    public bool DifferentialPrivacy => Mode != PrivacyModes.None;
}

/// <summary>The names of the task spec's privacy modes, in the order of their byte in the canonical encoding.</summary>
public static class PrivacyModes
{
    public const string None = "none";
    public const string Local = "local";
    public const string Dopamine = "dopamine";

    /// <summary>Every mode; a mode's index is its byte in <see cref="TaskSpecCodec"/> (0 and 1 are the old boolean
    /// differential-privacy = false and true, so specs encoded before modes existed decode unchanged).</summary>
    public static IReadOnlyList<string> All { get; } = [None, Local, Dopamine];
}
