using Swarm.Learning.Statistics;
using Swarm.Node.Simulation.Reporting;

namespace Swarm.Node.Simulation;

/// <summary>The predicted class probabilities (N×classes row-major) of every method's selected model on the
/// full test split: what the test-set bootstrap resamples.</summary>
public sealed record TestPredictions(long[] Labels, int Classes, float[] Swarm, float[] Centralized, IReadOnlyList<float[]> LocalOnly)
{
    /// <summary>The bootstrap's seed for a run with seed <paramref name="runSeed"/>: fixed by it, and apart from the
    /// seeds training derives from it.</summary>
    public static ulong BootstrapSeedOf(int runSeed) => ((ulong)runSeed * 2_654_435_761UL) ^ 0xB0075UL;

    /// <summary>Each method's AUC and the paired differences on <paramref name="resamples"/> bootstrap resamples
    /// of the test images.</summary>
    public TestIntervals Bootstrap(ulong seed, int resamples = TestSetBootstrap.DefaultResamples)
    {
        var models = new List<float[]> { Swarm, Centralized };
        models.AddRange(LocalOnly);
        var statistics = models.Select(p => TestSetBootstrap.Auc(p, Labels, Classes)).ToArray();
        var everyIndex = Enumerable.Range(0, Labels.Length).ToArray();
        var full = statistics.Select(s => s(everyIndex)).ToArray();
        var resampled = TestSetBootstrap.Resample(Labels.Length, statistics, seed, resamples);
        var sites = Enumerable.Range(2, LocalOnly.Count).ToArray();
        var localMean = DefinedMean(sites.Select(s => full[s]));
        var localMeanResampled = Enumerable.Range(0, resamples).Select(r => DefinedMean(sites.Select(s => resampled[s][r]))).ToArray();
        return new TestIntervals(resamples, seed,
            TestSetBootstrap.Interval(full[0], resampled[0]),
            TestSetBootstrap.Interval(full[1], resampled[1]),
            TestSetBootstrap.Interval(localMean, localMeanResampled),
            [.. sites.Select(s => TestSetBootstrap.Interval(full[s], resampled[s]))],
            TestSetBootstrap.Difference(full[0], resampled[0], localMean, localMeanResampled),
            TestSetBootstrap.Difference(full[0], resampled[0], full[1], resampled[1]));
    }

    /// <summary>The mean over the values that are defined, as <see cref="Score.Mean"/> averages site AUCs.</summary>
    private static double DefinedMean(IEnumerable<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }
}
