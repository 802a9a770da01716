namespace Swarm.Learning.Data;

/// <summary>A labelled image data set in memory: images as one N×C×H×W float32 block (already normalized)
/// and one class label per image.</summary>
public sealed class ImageDataset
{
    public ImageDataset(string name, int channels, int height, int width, int classes, float[] images, long[] labels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var imageSize = (long)channels * height * width;
        if (images.LongLength != imageSize * labels.LongLength)
        {
            throw new ArgumentException(
                $"{name}: {images.LongLength} pixel values do not make {labels.Length} images of {channels}×{height}×{width}",
                nameof(images));
        }
        foreach (var label in labels)
        {
            if (label < 0 || label >= classes)
            {
                throw new ArgumentException($"{name}: label {label} outside 0..{classes - 1}", nameof(labels));
            }
        }
        Name = name;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
        Images = images;
        Labels = labels;
    }

    /// <summary>The data set and split, e.g. <c>pneumoniamnist/train</c>.</summary>
    public string Name { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary>The number of classes; labels are 0..Classes-1.</summary>
    public int Classes { get; }

    /// <summary>The number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>The number of floats per image (C×H×W).</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>All images, N×C×H×W row-major.</summary>
    public float[] Images { get; }

    /// <summary>One label per image.</summary>
    public long[] Labels { get; }

    /// <summary>The pixels of image <paramref name="index"/> (C×H×W).</summary>
    public ReadOnlySpan<float> Image(int index) => Images.AsSpan(index * ImageSize, ImageSize);

    /// <summary>A new data set holding copies of the images at <paramref name="indices"/>, in that order.</summary>
    public ImageDataset Subset(int[] indices)
    {
        var size = ImageSize;
        var images = new float[(long)indices.Length * size];
        var labels = new long[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            var source = indices[i];
            if ((uint)source >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), source, $"{Name}: index outside 0..{Count - 1}");
            }
            Image(source).CopyTo(images.AsSpan(i * size, size));
            labels[i] = Labels[source];
        }
        return new ImageDataset(Name, Channels, Height, Width, Classes, images, labels);
    }

    /// <summary>How many images each class has.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[Classes];
        foreach (var label in Labels)
        {
            counts[label]++;
        }
        return counts;
    }
}
