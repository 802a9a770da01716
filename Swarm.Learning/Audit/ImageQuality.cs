using Swarm.Learning.Training;

namespace Swarm.Learning.Audit;

/// <summary>
/// How close a reconstructed image is to the true one, on pixels mapped from the models' input range [−1, 1]
/// (MedMNIST's normalisation with mean 0.5 and std 0.5) back to [0, 1].
/// </summary>
public static class ImageQuality
{
    private const int Window = 11;
    private const double WindowSigma = 1.5;

    /// <summary>Peak signal-to-noise ratio in dB with a peak of 1; +∞ for identical images.</summary>
    public static double Psnr(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Check(a, b);
        double squares = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = Unit(a[i]) - Unit(b[i]);
            squares += d * d;
        }
        var mse = squares / a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);
    }

    /// <summary>Structural similarity (Wang, Bovik, Sheikh and Simoncelli, IEEE TIP 2004): the index over every
    /// 11 × 11 Gaussian window (σ = 1.5) that fits inside the image, with C1 = (0.01)² and C2 = (0.03)², averaged
    /// over windows and channels. 1 for identical images, near 0 for unrelated ones.</summary>
    public static double Ssim(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ImageShape shape)
    {
        Check(a, b);
        if (a.Length != shape.Size || shape.Height < Window || shape.Width < Window)
        {
            throw new ArgumentException($"SSIM needs one image of at least {Window} × {Window} pixels, got {a.Length} floats for {shape}");
        }
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        var weights = GaussianWindow();
        var plane = shape.Height * shape.Width;
        double total = 0;
        var windows = 0;
        for (var c = 0; c < shape.Channels; c++)
        {
            var x = a.Slice(c * plane, plane);
            var y = b.Slice(c * plane, plane);
            for (var top = 0; top + Window <= shape.Height; top++)
            {
                for (var left = 0; left + Window <= shape.Width; left++)
                {
                    double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                    for (var i = 0; i < Window; i++)
                    {
                        for (var j = 0; j < Window; j++)
                        {
                            var w = weights[i * Window + j];
                            var index = (top + i) * shape.Width + left + j;
                            var u = Unit(x[index]);
                            var v = Unit(y[index]);
                            mx += w * u;
                            my += w * v;
                            xx += w * u * u;
                            yy += w * v * v;
                            xy += w * u * v;
                        }
                    }
                    var vx = xx - mx * mx;
                    var vy = yy - my * my;
                    var cov = xy - mx * my;
                    total += (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                    windows++;
                }
            }
        }
        return total / windows;
    }

    private static double Unit(float value) => Math.Clamp((value + 1.0) / 2.0, 0.0, 1.0);

    private static void Check(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length || a.IsEmpty)
        {
            throw new ArgumentException($"images of {a.Length} and {b.Length} floats cannot be compared");
        }
    }

    private static double[] GaussianWindow()
    {
        var weights = new double[Window * Window];
        double sum = 0;
        for (var i = 0; i < Window; i++)
        {
            for (var j = 0; j < Window; j++)
            {
                double di = i - Window / 2, dj = j - Window / 2;
                sum += weights[i * Window + j] = Math.Exp(-(di * di + dj * dj) / (2 * WindowSigma * WindowSigma));
            }
        }
        for (var k = 0; k < weights.Length; k++)
        {
            weights[k] /= sum;
        }
        return weights;
    }
}
