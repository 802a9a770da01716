using Swarm.Learning.Metrics;
using Swarm.Tasks;

namespace Swarm.Actors.Training;

/// <summary>Train <paramref name="Epochs"/> local epochs from <paramref name="GlobalParameters"/> and publish the
/// top-θ share of Δ. <paramref name="EpochOffset"/> and <paramref name="TotalEpochs"/> place these epochs in the
/// task's learning-rate schedule.</summary>
public sealed record TrainIns(int Round, float[] GlobalParameters, int Epochs, int EpochOffset, int TotalEpochs, double Theta);

/// <summary>A site's answer to <see cref="TrainIns"/>: its published update and mean local training loss.</summary>
public sealed record TrainRes(int Round, PublishedUpdate Update, double MeanLoss, TimeSpan Elapsed)
{
    /// <summary>The local epochs alone, without making the update (Δ, top-θ selection, encoding, hashing).</summary>
    public TimeSpan TrainingTime { get; init; }

    /// <summary>The DP-SGD steps (clipped, noised) the round's local epochs took; 0 without DP.</summary>
    public int DpSteps { get; init; }
}

/// <summary>Recompute a round's aggregate from the published update bytes; the site answers with the hashes it got.</summary>
public sealed record AggregateIns(int Round, float[] GlobalParameters, IReadOnlyList<PublishedUpdate> Updates)
{
    /// <summary>Also score the new global model on the site's own validation slice (the metrics a round block records).</summary>
    public bool Evaluate { get; init; }

    /// <summary>Called once the trainer is done with <see cref="Updates"/>' bytes (the sender's arrays go back to
    /// its pool); never called when the instruction is lost.</summary>
    public Action? Done { get; init; }
}

/// <summary>A site's own recomputation of a round: the aggregate Δ's and the new global model's digests, or the
/// reason it could not reproduce the aggregate (then both hashes are empty).</summary>
public sealed record AggregateRes(string SiteId, int Round, string AggregateHash, string ModelHash, string? Error = null)
{
    /// <summary>The new global parameters this site computed (null when it could not).</summary>
    public float[]? Parameters { get; init; }

    /// <summary>The new global model on the site's validation slice, when <see cref="AggregateIns.Evaluate"/> asked.</summary>
    public ClassificationResult? Validation { get; init; }

    /// <summary>Why each included update that the aggregate left out was refused (empty when none was).</summary>
    public IReadOnlyList<string> Refused { get; init; } = [];
}

/// <summary>Which of the site's own slices to score a model on.</summary>
public enum EvaluationSplit
{
    Validation,
    Test,
}

/// <summary>Score <paramref name="Parameters"/> on one of the site's own slices.</summary>
public sealed record EvaluateIns(float[] Parameters, EvaluationSplit Split)
{
    /// <summary>The round whose model this is; the answer carries it back, so answers match their questions
    /// whatever their order.</summary>
    public int Round { get; init; }
}

public sealed record EvaluateRes(string SiteId, EvaluationSplit Split, ClassificationResult Metrics, double Loss, int Count)
{
    /// <summary>The <see cref="EvaluateIns.Round"/> this answers.</summary>
    public int Round { get; init; }
}

/// <summary>Fine-tune the global model on the site's own training data (personalization after the last round), at a
/// constant <paramref name="LearningRate"/>.</summary>
public sealed record PersonalizeIns(float[] GlobalParameters, int Epochs, double LearningRate);

/// <summary>The global and the personalized model, both scored on the site's own test slice.</summary>
public sealed record PersonalizeRes(string SiteId, ClassificationResult Global, ClassificationResult Personalized, int BestEpoch);

/// <summary>A site could not carry out an instruction (bad input or an engine error); the site keeps running.</summary>
public sealed record TrainingFailed(string SiteId, int Round, string Reason)
{
    /// <summary>The instruction that failed, so that the failure reaches the part of the round that gave it.</summary>
    public TrainerWork Work { get; init; }
}
