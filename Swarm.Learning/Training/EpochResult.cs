namespace Swarm.Learning.Training;

/// <summary>Outcome of one local epoch: the mean training loss per example seen and the optimizer steps taken.</summary>
public sealed record EpochResult(double MeanLoss, int Steps);
