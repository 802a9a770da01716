using Swarm.Learning.Training;

namespace Swarm.Learning.Audit;

/// <summary>Settings of one gradient-inversion attack.</summary>
/// <param name="Iterations">Optimisation steps on the candidate images.</param>
/// <param name="LearningRate">Adam's step on the pixels (inputs live in [−1, 1]).</param>
/// <param name="TotalVariation">Weight of an anisotropic total-variation prior (Geiping et al., NeurIPS 2020),
/// which favours natural images; 0 is the plain DLG objective.</param>
/// <param name="Seed">Seed of the random starting images.</param>
public sealed record InversionOptions(int Iterations = 400, double LearningRate = 0.05, double TotalVariation = 1e-3,
    int Seed = 1);

/// <summary>The reconstructed images (row-major, <see cref="ImageShape"/> each), the labels used and the final
/// gradient-matching loss.</summary>
public sealed record InversionResult(float[] Images, long[] Labels, double MatchingLoss);

/// <summary>
/// Gradient inversion, the attack of a curious peer on a published update: find images whose gradient under the
/// shared model matches the observed one (DLG, Zhu, Liu and Han, NeurIPS 2019), with the label of a single image
/// read off the last layer's bias gradient (iDLG, Zhao, Mopuri and Bilen, 2020). Candidate images start from noise
/// and follow Adam on ‖∇θ L(x, y) − g‖² (+ a total-variation prior), through the second-order gradients of
/// <see cref="TorchTrainer.GradientMatching"/>.
/// </summary>
public static class GradientInversion
{
    /// <summary>iDLG: with cross-entropy, the gradient of the last layer's bias is softmax − one-hot, negative only
    /// at the true label of a single image. Returns that label, or null when the layout has no such bias.</summary>
    public static long? InferSingleLabel(ParameterLayout layout, int classes, ReadOnlySpan<float> gradient)
    {
        var bias = layout.Entries.LastOrDefault(e => e.Trainable && e.Length == classes &&
            e.Name.EndsWith("bias", StringComparison.Ordinal));
        if (bias is null)
        {
            return null;
        }
        var slice = gradient.Slice((int)bias.Offset, classes);
        var label = 0;
        for (var k = 1; k < classes; k++)
        {
            if (slice[k] < slice[label])
            {
                label = k;
            }
        }
        return label;
    }

    /// <summary>Reconstructs <paramref name="labels"/>.Length images from <paramref name="gradient"/> (the mean-loss
    /// gradient over the model's trainable entries at its current parameters). A non-empty <paramref name="mask"/>
    /// restricts the match to the coordinates the update revealed (top-θ sharing).</summary>
    public static InversionResult Invert(TorchTrainer model, ReadOnlySpan<float> gradient, long[] labels,
        ImageShape shape, InversionOptions options, ReadOnlySpan<float> mask = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(labels.Length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Iterations, 1);
        var random = new Random(options.Seed);
        var n = labels.Length * shape.Size;
        var x = new float[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = (float)(random.NextDouble() - 0.5);
        }
        var g = new float[n];
        var m = new double[n];
        var v = new double[n];
        const double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
        var best = (Loss: double.PositiveInfinity, Images: (float[])x.Clone());
        var target = gradient.ToArray();
        var known = mask.ToArray();
        for (var step = 1; step <= options.Iterations; step++)
        {
            var loss = model.GradientMatching(new TrainingData(x, labels, shape), target, g, known);
            if (loss < best.Loss)
            {
                best = (loss, (float[])x.Clone());
            }
            if (options.TotalVariation > 0)
            {
                AddTotalVariationGradient(x, g, shape, labels.Length, options.TotalVariation);
            }
            var correction1 = 1 - Math.Pow(beta1, step);
            var correction2 = 1 - Math.Pow(beta2, step);
            for (var i = 0; i < n; i++)
            {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                var update = options.LearningRate * (m[i] / correction1) / (Math.Sqrt(v[i] / correction2) + epsilon);
                x[i] = (float)Math.Clamp(x[i] - update, -1.0, 1.0);
            }
        }
        var last = model.GradientMatching(new TrainingData(x, labels, shape), target, g, known);
        return last < best.Loss ? new InversionResult(x, labels, last) : new InversionResult(best.Images, labels, best.Loss);
    }

    /// <summary>Pairs each true image with the reconstruction closest to it (the attack does not know the order
    /// of a batch): greedy on PSNR, best pair first. Returns, per true image, the index of its reconstruction.</summary>
    public static int[] Match(ReadOnlySpan<float> truth, ReadOnlySpan<float> reconstructed, ImageShape shape)
    {
        var count = truth.Length / shape.Size;
        var pairs = new List<(double Psnr, int True, int Guess)>();
        for (var t = 0; t < count; t++)
        {
            for (var r = 0; r < count; r++)
            {
                pairs.Add((ImageQuality.Psnr(truth.Slice(t * shape.Size, shape.Size),
                    reconstructed.Slice(r * shape.Size, shape.Size)), t, r));
            }
        }
        var assignment = Enumerable.Repeat(-1, count).ToArray();
        var used = new bool[count];
        foreach (var (_, t, r) in pairs.OrderByDescending(p => p.Psnr))
        {
            if (assignment[t] < 0 && !used[r])
            {
                assignment[t] = r;
                used[r] = true;
            }
        }
        return assignment;
    }

    /// <summary>Adds weight × ∂/∂x Σ |x(i, j+1) − x(i, j)| + |x(i+1, j) − x(i, j)| (a subgradient) to g.</summary>
    private static void AddTotalVariationGradient(float[] x, float[] g, ImageShape shape, int images, double weight)
    {
        var w = (float)weight;
        for (var plane = 0; plane < images * shape.Channels; plane++)
        {
            var offset = plane * shape.Height * shape.Width;
            for (var i = 0; i < shape.Height; i++)
            {
                for (var j = 0; j < shape.Width; j++)
                {
                    var here = offset + i * shape.Width + j;
                    if (j + 1 < shape.Width)
                    {
                        var s = w * MathF.Sign(x[here + 1] - x[here]);
                        g[here + 1] += s;
                        g[here] -= s;
                    }
                    if (i + 1 < shape.Height)
                    {
                        var s = w * MathF.Sign(x[here + shape.Width] - x[here]);
                        g[here + shape.Width] += s;
                        g[here] -= s;
                    }
                }
            }
        }
    }
}
