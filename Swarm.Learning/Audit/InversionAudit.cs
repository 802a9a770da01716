using Swarm.Learning.Data;
using Swarm.Learning.Data.Partitioning;
using Swarm.Learning.Training;

namespace Swarm.Learning.Audit;

/// <summary>One attacked view of a site's training images and how well gradient inversion rebuilt them.</summary>
/// <param name="Scenario">What the attacker saw.</param>
/// <param name="Truth">The attacked training images (the batch, or one image per site for a sum).</param>
/// <param name="Reconstruction">The attack's images, paired with <paramref name="Truth"/> by index.</param>
/// <param name="Psnr">PSNR of each pair (dB).</param>
/// <param name="Ssim">SSIM of each pair.</param>
/// <param name="BaselinePsnr">Per true image: the mean PSNR of random training images of the same class, i.e.
/// what an attacker gets by knowing only the data set.</param>
/// <param name="ClassMeanPsnr">Per true image: the PSNR of the mean training image of its class, a blurred
/// prototype that needs no gradient at all.</param>
/// <param name="LabelsRight">How many labels the attack used were the true ones (inferred for a single image).</param>
public sealed record InversionOutcome(string Scenario, float[] Truth, float[] Reconstruction, double[] Psnr,
    double[] Ssim, double[] BaselinePsnr, double[] ClassMeanPsnr, int LabelsRight)
{
    public double MeanPsnr => Psnr.Average();
    public double MeanSsim => Ssim.Average();
    public double MeanBaselinePsnr => BaselinePsnr.Average();
    public double MeanClassMeanPsnr => ClassMeanPsnr.Average();
}

/// <summary>
/// Gradient inversion against what a peer sees, in the FedSGD threat model of DLG: a site publishes the gradient of
/// one step on its batch at the shared model (a one-step SGD update is −η times it, and the spec tells everyone η).
/// Scenarios: the raw gradient of one image (label inferred, iDLG) and of a batch (labels given to the attacker, an
/// upper bound); the same single-image gradient with top-θ sharing (only the θ·P largest coordinates seen), with
/// DP-SGD's clipping and noise, and the mean of several sites' single-image gradients, which is all a peer sees under
/// secure aggregation or secret sharing.
/// </summary>
public sealed class InversionAudit(TorchTrainer model, ImageDataset train, InversionOptions options)
{
    private readonly ImageShape _shape = new(train.Channels, train.Height, train.Width);

    /// <summary>The raw gradient of images <paramref name="first"/> … first + batch − 1.</summary>
    public InversionOutcome Raw(int first, int batch)
    {
        var (images, labels) = Batch(first, batch);
        var gradient = GradientOf(images, labels);
        var attackLabels = batch == 1 ? [Infer(gradient, labels[0])] : labels;
        return Attack(batch == 1 ? "raw update, 1 image (label inferred)" : $"raw update, batch of {batch} (labels given)",
            images, labels, gradient, attackLabels, default);
    }

    /// <summary>Top-θ sharing: the attacker sees only the ⌈θ·P⌉ coordinates of largest magnitude.</summary>
    public InversionOutcome TopTheta(int first, double theta)
    {
        var (images, labels) = Batch(first, 1);
        var gradient = GradientOf(images, labels);
        var keep = (int)Math.Ceiling(theta * gradient.Length);
        var order = Enumerable.Range(0, gradient.Length).OrderByDescending(i => Math.Abs(gradient[i])).Take(keep);
        var mask = new float[gradient.Length];
        var seen = new float[gradient.Length];
        foreach (var i in order)
        {
            mask[i] = 1;
            seen[i] = gradient[i];
        }
        return Attack(FormattableString.Invariant($"top-θ update, θ = {theta}, 1 image (label inferred)"), images, labels,
            seen, [Infer(seen, labels[0])], mask);
    }

    /// <summary>DP-SGD on one image: the gradient clipped to L2 norm C, plus N(0, σ²C²) per coordinate (seeded
    /// here, so the audit repeats; a site draws it from the OS CSPRNG).</summary>
    public InversionOutcome Dp(int first, double noiseMultiplier, double clipNorm)
    {
        var (images, labels) = Batch(first, 1);
        var gradient = GradientOf(images, labels);
        var norm = Math.Sqrt(gradient.Sum(g => (double)g * g));
        var factor = Math.Min(1.0, clipNorm / (norm + 1e-6));
        var random = new SeededRandom((ulong)(options.Seed + 7919));
        for (var i = 0; i < gradient.Length; i++)
        {
            gradient[i] = (float)(gradient[i] * factor + noiseMultiplier * clipNorm * random.NextGaussian());
        }
        return Attack(FormattableString.Invariant($"DP-SGD update, σ = {noiseMultiplier}, C = {clipNorm}, 1 image (label inferred)"),
            images, labels, gradient, [Infer(gradient, labels[0])], default);
    }

    /// <summary>The mean of <paramref name="sites"/> sites' single-image gradients (images first … first + sites − 1),
    /// attacked as if it were one image's: what a peer sees under secure aggregation or secret sharing.</summary>
    public InversionOutcome SumOfSites(int first, int sites)
    {
        var (images, labels) = Batch(first, sites);
        var mean = new float[model.Layout.TrainableLength];
        var one = new float[mean.Length];
        for (var s = 0; s < sites; s++)
        {
            model.Gradient(new TrainingData(images.AsMemory(s * _shape.Size, _shape.Size), labels.AsMemory(s, 1), _shape), one);
            for (var i = 0; i < mean.Length; i++)
            {
                mean[i] += one[i] / sites;
            }
        }
        var label = GradientInversion.InferSingleLabel(model.Layout, model.Classes, mean) ?? 0;
        var result = GradientInversion.Invert(model, mean, [label], _shape, options);
        // One reconstruction, compared with every site's image.
        var reconstruction = Enumerable.Range(0, sites).SelectMany(_ => result.Images).ToArray();
        return Score($"sum of {sites} sites' single-image updates (secure aggregation / secret sharing)", images, labels,
            reconstruction, labels.Count(l => l == label));
    }

    private InversionOutcome Attack(string scenario, float[] images, long[] labels, float[] gradient, long[] attackLabels,
        ReadOnlySpan<float> mask)
    {
        var result = GradientInversion.Invert(model, gradient, attackLabels, _shape, options, mask);
        var order = GradientInversion.Match(images, result.Images, _shape);
        var paired = order.SelectMany(r => result.Images.AsSpan(r * _shape.Size, _shape.Size).ToArray()).ToArray();
        var right = attackLabels.Zip(labels).Count(p => p.First == p.Second);
        return Score(scenario, images, labels, paired, right);
    }

    private InversionOutcome Score(string scenario, float[] images, long[] labels, float[] paired, int labelsRight)
    {
        var count = labels.Length;
        var psnr = new double[count];
        var ssim = new double[count];
        var baseline = new double[count];
        var classMean = new double[count];
        for (var k = 0; k < count; k++)
        {
            var truth = images.AsSpan(k * _shape.Size, _shape.Size);
            var guess = paired.AsSpan(k * _shape.Size, _shape.Size);
            psnr[k] = ImageQuality.Psnr(truth, guess);
            ssim[k] = ImageQuality.Ssim(truth, guess, _shape);
            baseline[k] = BaselinePsnr(truth, labels[k]);
            classMean[k] = ImageQuality.Psnr(truth, ClassMean(labels[k]));
        }
        return new InversionOutcome(scenario, images, paired, psnr, ssim, baseline, classMean, labelsRight);
    }

    private readonly Dictionary<long, float[]> _classMeans = [];

    private float[] ClassMean(long label)
    {
        if (!_classMeans.TryGetValue(label, out var mean))
        {
            mean = new float[_shape.Size];
            var count = 0;
            for (var i = 0; i < train.Count; i++)
            {
                if (train.Labels[i] == label)
                {
                    var image = train.Image(i);
                    for (var p = 0; p < mean.Length; p++)
                    {
                        mean[p] += image[p];
                    }
                    count++;
                }
            }
            for (var p = 0; p < mean.Length; p++)
            {
                mean[p] /= Math.Max(1, count);
            }
            _classMeans[label] = mean;
        }
        return mean;
    }

    /// <summary>Mean PSNR between the image and 20 training images of its class drawn from the end of the split
    /// (away from the attacked images, which are taken from its start).</summary>
    private double BaselinePsnr(ReadOnlySpan<float> truth, long label)
    {
        var scores = new List<double>();
        for (var i = train.Count - 1; i >= 0 && scores.Count < 20; i--)
        {
            if (train.Labels[i] == label)
            {
                scores.Add(ImageQuality.Psnr(truth, train.Image(i)));
            }
        }
        return scores.Count == 0 ? double.NaN : scores.Average();
    }

    private (float[] Images, long[] Labels) Batch(int first, int count)
    {
        if (first < 0 || count < 1 || first + count > train.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"images {first}..{first + count - 1} are not in the {train.Count}-image split");
        }
        return (train.Images.AsSpan(first * _shape.Size, count * _shape.Size).ToArray(), train.Labels.AsSpan(first, count).ToArray());
    }

    private float[] GradientOf(float[] images, long[] labels)
    {
        var gradient = new float[model.Layout.TrainableLength];
        model.Gradient(new TrainingData(images, labels, _shape), gradient);
        return gradient;
    }

    private long Infer(ReadOnlySpan<float> gradient, long fallback) =>
        GradientInversion.InferSingleLabel(model.Layout, model.Classes, gradient) ?? fallback;
}
