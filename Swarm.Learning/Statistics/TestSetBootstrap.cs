using Swarm.Learning.Data.Partitioning;
using Swarm.Learning.Metrics;

namespace Swarm.Learning.Statistics;

/// <summary>
/// The nonparametric bootstrap over test images (Efron and Tibshirani, "An Introduction to the Bootstrap", 1993,
/// ch. 13, percentile intervals). Each resample draws n test indices with replacement; every statistic is computed
/// on the same resamples, so the difference of two statistics resample by resample is a paired bootstrap: the
/// two models are judged on the same images, and what the images have in common cancels. The resamples are a
/// pure function of the seed.
/// </summary>
public static class TestSetBootstrap
{
    public const int DefaultResamples = 1000;

    /// <summary>The value of every statistic on each of <paramref name="resamples"/> resamples of
    /// <paramref name="count"/> items: result[statistic][resample].</summary>
    public static double[][] Resample(int count, IReadOnlyList<Func<int[], double>> statistics, ulong seed,
        int resamples = DefaultResamples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var random = new SeededRandom(seed);
        var values = statistics.Select(_ => new double[resamples]).ToArray();
        var indices = new int[count];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < count; i++)
            {
                indices[i] = random.NextInt(count);
            }
            for (var s = 0; s < statistics.Count; s++)
            {
                values[s][r] = statistics[s](indices);
            }
        }
        return values;
    }

    /// <summary>The AUC (MedMNIST's, <see cref="ClassificationMetrics"/>) of predicted probabilities
    /// (N×<paramref name="classes"/> row-major) on the resampled images.</summary>
    public static Func<int[], double> Auc(float[] probabilities, long[] labels, int classes)
    {
        if (probabilities.Length != (long)labels.Length * classes)
        {
            throw new ArgumentException($"{probabilities.Length} values are not {labels.Length} rows of {classes} classes", nameof(probabilities));
        }
        return indices =>
        {
            var rows = new float[indices.Length * classes];
            var picked = new long[indices.Length];
            for (var i = 0; i < indices.Length; i++)
            {
                probabilities.AsSpan(indices[i] * classes, classes).CopyTo(rows.AsSpan(i * classes, classes));
                picked[i] = labels[indices[i]];
            }
            return ClassificationMetrics.Compute(rows, picked, classes).Auc;
        };
    }

    /// <summary>The 95 % percentile interval of <paramref name="resampled"/> around <paramref name="estimate"/>
    /// (the statistic on the full test set); NaN resamples are left out.</summary>
    public static BootstrapInterval Interval(double estimate, IEnumerable<double> resampled)
    {
        var defined = resampled.Where(v => !double.IsNaN(v)).Order().ToArray();
        return defined.Length == 0
            ? new BootstrapInterval(estimate, double.NaN, double.NaN, 0)
            : new BootstrapInterval(estimate, Percentile(defined, 0.025), Percentile(defined, 0.975), defined.Length);
    }

    /// <summary>The interval of a − b, resample by resample (the paired bootstrap); a resample where either is
    /// undefined is left out.</summary>
    public static BootstrapInterval Difference(double estimateA, double[] a, double estimateB, double[] b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"{a.Length} resamples against {b.Length}: a paired bootstrap needs the same resamples", nameof(b));
        }
        return Interval(estimateA - estimateB, a.Zip(b, (x, y) => x - y));
    }

    /// <summary>The <paramref name="p"/> quantile of sorted values, linearly interpolated between order statistics
    /// (Hyndman and Fan's type 7, the default of R and NumPy).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Count);
        var position = p * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
