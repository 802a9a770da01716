namespace Swarm.Learning.Data;

/// <summary>The official train/validation/test splits of one MedMNIST data set.</summary>
public sealed record MedMnistSplits(ImageDataset Train, ImageDataset Val, ImageDataset Test);
