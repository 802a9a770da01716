namespace Swarm.Learning.Training;

/// <summary>Images (N × C × H × W float32, normalized) and their labels, as the engine trains on them.</summary>
public readonly record struct TrainingData
{
    public TrainingData(ReadOnlyMemory<float> images, ReadOnlyMemory<long> labels, ImageShape shape)
    {
        if (shape.Channels <= 0 || shape.Height <= 0 || shape.Width <= 0)
        {
            throw new ArgumentException($"image shape {shape} must be positive", nameof(shape));
        }
        if (images.Length != labels.Length * shape.Size)
        {
            throw new ArgumentException(
                $"{images.Length} image floats do not match {labels.Length} labels of shape {shape}", nameof(images));
        }
        Images = images;
        Labels = labels;
        Shape = shape;
    }

    public ReadOnlyMemory<float> Images { get; }
    public ReadOnlyMemory<long> Labels { get; }
    public ImageShape Shape { get; }
    public int Count => Labels.Length;
}
