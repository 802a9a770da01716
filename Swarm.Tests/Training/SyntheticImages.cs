using Swarm.Learning.Training;

namespace Swarm.Tests.Training;

/// <summary>Small seeded image sets whose class is visible in the picture (class c brightens band c), so that a
/// model can learn them in a few steps.</summary>
internal static class SyntheticImages
{
    public static TrainingData Make(int count, ImageShape shape, int classes, int seed)
    {
        var random = new Random(seed);
        var images = new float[count * shape.Size];
        var labels = new long[count];
        var bandHeight = Math.Max(1, shape.Height / classes);
        for (var i = 0; i < count; i++)
        {
            var label = random.Next(classes);
            labels[i] = label;
            var image = images.AsSpan(i * shape.Size, shape.Size);
            for (var c = 0; c < shape.Channels; c++)
            {
                for (var y = 0; y < shape.Height; y++)
                {
                    var inBand = y / bandHeight == label;
                    for (var x = 0; x < shape.Width; x++)
                    {
                        var noise = (float)(random.NextDouble() - 0.5);
                        image[(c * shape.Height + y) * shape.Width + x] = noise + (inBand ? 1f : -0.5f);
                    }
                }
            }
        }
        return new TrainingData(images, labels, shape);
    }

    /// <summary>Examples [start, start + count) of <paramref name="data"/>.</summary>
    public static TrainingData Slice(TrainingData data, int start, int count) =>
        new(data.Images.Slice(start * data.Shape.Size, count * data.Shape.Size), data.Labels.Slice(start, count),
            data.Shape);

    public static double Norm(ReadOnlySpan<float> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += (double)v * v;
        }
        return Math.Sqrt(sum);
    }
}
