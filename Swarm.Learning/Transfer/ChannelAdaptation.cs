using Swarm.Learning.Training;

namespace Swarm.Learning.Transfer;

/// <summary>
/// Carries a model trained on one kind of image to another: a 1-channel (grey) model such as one pre-trained on
/// PneumoniaMNIST into a 3-channel (RGB) one such as RetinaMNIST's, and to another number of classes. A convolution
/// kernel of shape [out, 1, kh, kw] becomes [out, C, kh, kw] with the kernel repeated over the C input channels and
/// divided by C: on a grey image copied into C channels the adapted layer gives exactly the original outputs, and on
/// a colour image it sees the mean of the channels (so the first layer starts as a luminance filter the fine-tuning
/// may then tell apart by channel). Every other entry of equal name and shape is copied; an entry the source lacks
/// or whose shape differs otherwise (a classifier head for another number of classes) keeps the target's own
/// initialisation and is listed as re-initialised. Pure and deterministic.
/// </summary>
public static class ChannelAdaptation
{
    /// <summary>A [out, 1, kh, kw] kernel repeated over <paramref name="channels"/> input channels and divided by
    /// that number: [out, channels, kh, kw] in row-major order.</summary>
    public static float[] RepeatInputChannels(ReadOnlySpan<float> kernel, IReadOnlyList<int> shape, int channels)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (shape.Count != 4 || shape[1] != 1)
        {
            throw new ArgumentException($"expected a [out, 1, kh, kw] kernel, got [{string.Join(", ", shape)}]", nameof(shape));
        }
        var plane = shape[2] * shape[3];
        if (kernel.Length != shape[0] * plane)
        {
            throw new ArgumentException($"{kernel.Length} values do not fill a [{string.Join(", ", shape)}] kernel", nameof(kernel));
        }
        var scale = 1f / channels;
        var result = new float[shape[0] * channels * plane];
        for (var o = 0; o < shape[0]; o++)
        {
            var source = kernel.Slice(o * plane, plane);
            for (var c = 0; c < channels; c++)
            {
                var target = result.AsSpan((o * channels + c) * plane, plane);
                for (var i = 0; i < plane; i++)
                {
                    target[i] = source[i] * scale;
                }
            }
        }
        return result;
    }

    /// <summary>The source parameters carried into <paramref name="targetLayout"/>, starting from
    /// <paramref name="targetInitial"/> (a freshly initialised target model, seeded) for what cannot be carried.</summary>
    public static AdaptedModel Adapt(ParameterLayout sourceLayout, ReadOnlySpan<float> source,
        ParameterLayout targetLayout, ReadOnlySpan<float> targetInitial)
    {
        ArgumentNullException.ThrowIfNull(sourceLayout);
        ArgumentNullException.ThrowIfNull(targetLayout);
        if (source.Length != sourceLayout.TotalLength || targetInitial.Length != targetLayout.TotalLength)
        {
            throw new ArgumentException(
                $"parameter vectors of {source.Length} and {targetInitial.Length} values do not match layouts of {sourceLayout.TotalLength} and {targetLayout.TotalLength}");
        }
        var sources = sourceLayout.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var result = targetInitial.ToArray();
        List<string> copied = [], repeated = [], reinitialized = [];
        foreach (var entry in targetLayout.Entries)
        {
            var target = result.AsSpan((int)entry.Offset, (int)entry.Length);
            if (!sources.TryGetValue(entry.Name, out var from))
            {
                reinitialized.Add(entry.Name);
                continue;
            }
            var values = source.Slice((int)from.Offset, (int)from.Length);
            if (from.Shape.SequenceEqual(entry.Shape))
            {
                values.CopyTo(target);
                copied.Add(entry.Name);
            }
            else if (IsChannelWidening(from.Shape, entry.Shape))
            {
                RepeatInputChannels(values, from.Shape, entry.Shape[1]).CopyTo(target);
                repeated.Add(entry.Name);
            }
            else
            {
                reinitialized.Add(entry.Name);
            }
        }
        return new AdaptedModel(result, copied, repeated, reinitialized);
    }

    private static bool IsChannelWidening(IReadOnlyList<int> from, IReadOnlyList<int> to) =>
        from.Count == 4 && to.Count == 4 && from[1] == 1 && to[1] > 1
        && from[0] == to[0] && from[2] == to[2] && from[3] == to[3];
}
