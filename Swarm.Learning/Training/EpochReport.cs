using Swarm.Learning.Metrics;

namespace Swarm.Learning.Training;

/// <summary>One epoch of central training: its training loss, and loss, AUC and accuracy on the validation split.</summary>
public sealed record EpochReport(int Epoch, double LearningRate, double TrainLoss, double ValidationLoss,
    ClassificationResult Validation, TimeSpan Elapsed);
