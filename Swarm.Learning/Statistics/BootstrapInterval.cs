namespace Swarm.Learning.Statistics;

/// <summary>A statistic on the full test set and its 95 % percentile bootstrap interval (2.5th and 97.5th
/// percentiles over the resamples that define it). <paramref name="Resamples"/> counts those resamples: a
/// resample holding one class leaves the AUC undefined and is not counted.</summary>
public sealed record BootstrapInterval(double Estimate, double Low, double High, int Resamples)
{
    /// <summary>Whether the interval lies wholly on one side of zero: for a paired difference, a significant one
    /// at the 5 % level (two-sided).</summary>
    public bool ExcludesZero => Low > 0 || High < 0;
}
