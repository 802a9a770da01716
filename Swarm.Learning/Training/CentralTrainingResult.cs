using Swarm.Learning.Metrics;

namespace Swarm.Learning.Training;

/// <summary>The outcome of central training: the epoch with the best validation AUC and its test metrics.</summary>
public sealed record CentralTrainingResult(IReadOnlyList<EpochReport> Epochs, int BestEpoch, ClassificationResult Test,
    double TestLoss);
