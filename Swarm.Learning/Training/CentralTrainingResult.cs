using Swarm.Learning.Metrics;

namespace Swarm.Learning.Training;

/// <summary>The outcome of central training: the selected epoch (best validation AUC, see
/// <see cref="CentralTraining"/>) and its test metrics.</summary>
public sealed record CentralTrainingResult(IReadOnlyList<EpochReport> Epochs, int BestEpoch, ClassificationResult Test,
    double TestLoss)
{
    /// <summary>True when no epoch had a validation AUC (a one-class validation split) and the epoch with the lowest
    /// validation loss was selected instead.</summary>
    public bool SelectedByLoss { get; init; }
}
