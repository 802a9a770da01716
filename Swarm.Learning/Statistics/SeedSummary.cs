namespace Swarm.Learning.Statistics;

/// <summary>A number measured once per seed, summarised: mean, sample standard deviation (n − 1) and the 95 %
/// Student-t interval of the mean (mean ± t(0.975; n − 1) · sd / √n). With one seed the spread and the interval
/// are undefined (NaN): one run says nothing about how much a result moves with the seed.</summary>
public sealed record SeedSummary(int Count, double Mean, double StandardDeviation, double Low, double High)
{
    public static SeedSummary Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0)
        {
            return new SeedSummary(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        var mean = list.Average();
        if (list.Count == 1)
        {
            return new SeedSummary(1, mean, double.NaN, double.NaN, double.NaN);
        }
        var sd = Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
        var half = StudentT.Quantile975(list.Count - 1) * sd / Math.Sqrt(list.Count);
        return new SeedSummary(list.Count, mean, sd, mean - half, mean + half);
    }

    /// <summary>Whether the 95 % interval lies wholly on one side of zero: for per-seed paired differences, a
    /// two-sided paired t-test rejecting "no difference" at the 5 % level. False when the interval is undefined.</summary>
    public bool ExcludesZero => Low > 0 || High < 0;
}
