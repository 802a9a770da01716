using Swarm.Learning.Data;

namespace Swarm.Learning.Training;

/// <summary>Views a loaded data set as the engine's training input (no copy).</summary>
public static class ImageDatasetExtensions
{
    public static ImageShape Shape(this ImageDataset dataset) => new(dataset.Channels, dataset.Height, dataset.Width);

    public static TrainingData ToTrainingData(this ImageDataset dataset) =>
        new(dataset.Images, dataset.Labels, dataset.Shape());
}
