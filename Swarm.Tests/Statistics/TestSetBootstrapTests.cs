using Swarm.Learning.Data.Partitioning;
using Swarm.Learning.Metrics;
using Swarm.Learning.Statistics;

namespace Swarm.Tests.Statistics;

public sealed class TestSetBootstrapTests
{
    private static Func<int[], double> MeanOf(double[] values) => indices => indices.Average(i => values[i]);

    [Fact]
    public void The_interval_of_a_mean_is_close_to_the_normal_one()
    {
        // 400 values, half 0 and half 1: mean 0.5, standard error 0.5 / √400 = 0.025, normal interval ±0.049.
        var values = Enumerable.Range(0, 400).Select(i => (double)(i % 2)).ToArray();

        var resampled = TestSetBootstrap.Resample(values.Length, [MeanOf(values)], seed: 7, resamples: 2000);
        var interval = TestSetBootstrap.Interval(0.5, resampled[0]);

        Assert.Equal(2000, interval.Resamples);
        Assert.InRange(interval.Low, 0.445, 0.46);
        Assert.InRange(interval.High, 0.54, 0.555);
    }

    [Fact]
    public void The_95_percent_interval_covers_the_true_mean_about_95_times_in_100()
    {
        // Repeated experiments: 80 draws of a Bernoulli(0.3) each, a bootstrap interval per experiment.
        var random = new SeededRandom(11);
        var covered = 0;
        const int experiments = 300;
        for (var e = 0; e < experiments; e++)
        {
            var sample = Enumerable.Range(0, 80).Select(_ => random.NextDouble() < 0.3 ? 1.0 : 0.0).ToArray();
            var resampled = TestSetBootstrap.Resample(sample.Length, [MeanOf(sample)], seed: (ulong)e, resamples: 400);
            var interval = TestSetBootstrap.Interval(sample.Average(), resampled[0]);
            covered += interval.Low <= 0.3 && 0.3 <= interval.High ? 1 : 0;
        }

        // Percentile intervals of a proportion at n = 80 undercover a little; 300 experiments have a ±2.5 % spread.
        Assert.InRange(covered / (double)experiments, 0.88, 0.985);
    }

    [Fact]
    public void Resamples_are_a_function_of_the_seed()
    {
        var values = Enumerable.Range(0, 50).Select(i => (double)(i * i % 17)).ToArray();

        var first = TestSetBootstrap.Resample(values.Length, [MeanOf(values)], seed: 3, resamples: 100)[0];
        var again = TestSetBootstrap.Resample(values.Length, [MeanOf(values)], seed: 3, resamples: 100)[0];
        var other = TestSetBootstrap.Resample(values.Length, [MeanOf(values)], seed: 4, resamples: 100)[0];

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_perfect_classifier_has_a_degenerate_auc_interval_at_one()
    {
        var (labels, probabilities) = Binary(200, i => i % 3 == 0, positive => positive ? 0.9f : 0.1f);

        var auc = TestSetBootstrap.Auc(probabilities, labels, 2);
        var interval = TestSetBootstrap.Interval(auc(Every(200)), TestSetBootstrap.Resample(200, [auc], seed: 1, resamples: 200)[0]);

        Assert.Equal(new BootstrapInterval(1.0, 1.0, 1.0, 200), interval);
    }

    [Fact]
    public void The_resampled_auc_is_medmnists_auc_of_the_picked_rows()
    {
        var (labels, probabilities) = Binary(60, i => i % 2 == 0, positive => 0.5f);
        for (var i = 0; i < 60; i++)
        {
            probabilities[(i * 2) + 1] = (float)((i * 37 % 60) / 60.0);
            probabilities[i * 2] = 1 - probabilities[(i * 2) + 1];
        }
        int[] picked = [0, 1, 1, 2, 5, 8, 9, 9, 13, 20];

        var expected = ClassificationMetrics.Compute(
            picked.SelectMany(i => new[] { probabilities[i * 2], probabilities[(i * 2) + 1] }).ToArray(), picked.Select(i => labels[i]).ToArray(), 2).Auc;

        Assert.Equal(expected, TestSetBootstrap.Auc(probabilities, labels, 2)(picked));
    }

    [Fact]
    public void A_paired_difference_of_a_model_with_itself_is_zero_and_not_significant()
    {
        var (labels, probabilities) = Noisy(300, seed: 5, signal: 1.0);
        var auc = TestSetBootstrap.Auc(probabilities, labels, 2);
        var resampled = TestSetBootstrap.Resample(300, [auc, auc], seed: 2, resamples: 300);

        var difference = TestSetBootstrap.Difference(auc(Every(300)), resampled[0], auc(Every(300)), resampled[1]);

        Assert.Equal((0.0, 0.0, 0.0), (difference.Estimate, difference.Low, difference.High));
        Assert.False(difference.ExcludesZero);
    }

    [Fact]
    public void A_clearly_better_model_is_significant_and_a_slightly_better_one_is_not()
    {
        var (labels, strong) = Noisy(400, seed: 8, signal: 2.0);
        var (_, weak) = Noisy(400, seed: 9, signal: 0.5, labelsFrom: labels);
        var (_, almost) = Noisy(400, seed: 10, signal: 1.95, labelsFrom: labels);
        Func<int[], double>[] statistics = [TestSetBootstrap.Auc(strong, labels, 2), TestSetBootstrap.Auc(weak, labels, 2), TestSetBootstrap.Auc(almost, labels, 2)];
        var full = statistics.Select(s => s(Every(400))).ToArray();
        var resampled = TestSetBootstrap.Resample(400, statistics, seed: 1, resamples: 500);

        var clear = TestSetBootstrap.Difference(full[0], resampled[0], full[1], resampled[1]);
        var slight = TestSetBootstrap.Difference(full[0], resampled[0], full[2], resampled[2]);

        Assert.True(clear.Estimate > 0.15 && clear.ExcludesZero, $"{clear}");
        Assert.True(Math.Abs(slight.Estimate) < 0.03 && !slight.ExcludesZero, $"{slight}");
    }

    [Fact]
    public void Percentiles_interpolate_between_order_statistics()
    {
        double[] sorted = [1, 2, 3, 4, 5];

        Assert.Equal(1.0, TestSetBootstrap.Percentile(sorted, 0));
        Assert.Equal(3.0, TestSetBootstrap.Percentile(sorted, 0.5));
        Assert.Equal(1.1, TestSetBootstrap.Percentile(sorted, 0.025), 12);
        Assert.Equal(4.9, TestSetBootstrap.Percentile(sorted, 0.975), 12);
    }

    private static int[] Every(int n) => [.. Enumerable.Range(0, n)];

    private static (long[] Labels, float[] Probabilities) Binary(int n, Func<int, bool> positive, Func<bool, float> score)
    {
        var labels = Enumerable.Range(0, n).Select(i => positive(i) ? 1L : 0L).ToArray();
        var probabilities = labels.SelectMany(l => new[] { 1 - score(l == 1), score(l == 1) }).ToArray();
        return (labels, probabilities);
    }

    /// <summary>Labels half and half; the positive score is a logistic of signal × (±1) plus standard normal noise.</summary>
    private static (long[] Labels, float[] Probabilities) Noisy(int n, ulong seed, double signal, long[]? labelsFrom = null)
    {
        var random = new SeededRandom(seed);
        var labels = labelsFrom ?? [.. Enumerable.Range(0, n).Select(i => (long)(i % 2))];
        var probabilities = new float[n * 2];
        for (var i = 0; i < n; i++)
        {
            var z = (signal * (labels[i] == 1 ? 1 : -1)) + random.NextGaussian();
            probabilities[(i * 2) + 1] = (float)(1 / (1 + Math.Exp(-z)));
            probabilities[i * 2] = 1 - probabilities[(i * 2) + 1];
        }
        return (labels, probabilities);
    }
}
