using Swarm.Learning.Statistics;
using Swarm.Node.Simulation.Reporting;

namespace Swarm.Tests.Statistics;

public sealed class SeedStatisticsTests
{
    private static SimulationResults Run(int seed, double swarm, double centralized, double[] localOnly, TestIntervals? intervals = null) =>
        new("pneumoniamnist", "smallcnn", localOnly.Length, seed, "hospital", new Score(swarm, 0.8), new Score(centralized, 0.8),
            [.. localOnly.Select((auc, s) => new SiteScore($"site-{s}", new Score(auc, 0.7)))], [], [], [], "")
        {
            Intervals = intervals,
        };

    private static TestIntervals Intervals(BootstrapInterval versusLocal, BootstrapInterval versusCentral)
    {
        var any = new BootstrapInterval(0.9, 0.85, 0.95, 1000);
        return new TestIntervals(1000, 1, any, any, any, [any, any], versusLocal, versusCentral);
    }

    [Fact]
    public void Methods_are_summarised_across_seeds_with_the_local_only_mean_per_seed()
    {
        var statistics = SeedStatistics.Of(
        [
            Run(1, 0.92, 0.93, [0.90, 0.80]),
            Run(2, 0.94, 0.93, [0.88, 0.84]),
            Run(3, 0.93, 0.94, [0.86, 0.82]),
        ]);

        var swarm = statistics.Methods.Single(m => m.Method == "swarm (global model)");
        Assert.Equal(0.93, swarm.Auc.Mean, 12);
        Assert.Equal(0.01, swarm.Auc.StandardDeviation, 12);
        Assert.Equal(0.93 - (4.303 * 0.01 / Math.Sqrt(3)), swarm.Auc.Low, 12);
        var local = statistics.Methods.Single(m => m.Method == "local-only (mean over sites)");
        Assert.Equal((0.85 + 0.86 + 0.84) / 3, local.Auc.Mean, 12);
        Assert.Equal(0.82, statistics.Methods.Single(m => m.Method == "local-only site-1").Auc.Mean, 12);
        Assert.Equal([1, 2, 3], statistics.Seeds);
    }

    [Fact]
    public void A_consistent_gain_over_local_only_is_significant_by_the_paired_t_test_and_a_tie_with_centralized_is_not()
    {
        var statistics = SeedStatistics.Of(
        [
            Run(1, 0.92, 0.93, [0.90, 0.80]),
            Run(2, 0.94, 0.93, [0.88, 0.84]),
            Run(3, 0.93, 0.94, [0.86, 0.82]),
        ]);

        // Per seed swarm − local-only mean: 0.07, 0.08, 0.09; swarm − centralized: −0.01, +0.01, −0.01.
        Assert.Equal(0.08, statistics.SwarmVersusLocalOnly.AcrossSeeds.Mean, 12);
        Assert.True(statistics.SwarmVersusLocalOnly.Significant);
        Assert.False(statistics.SwarmVersusCentralized.Significant);
        Assert.Equal("paired t-test across 3 seeds (df = 2)", statistics.SwarmVersusLocalOnly.TestUsed);
        Assert.True(statistics.BeatsLocalOnlyByMargin);
        Assert.True(statistics.CloseToCentralized);
    }

    [Fact]
    public void With_one_seed_the_decision_is_the_paired_bootstrap_of_its_test_set()
    {
        var significant = new BootstrapInterval(0.02, 0.005, 0.035, 1000);
        var straddling = new BootstrapInterval(-0.01, -0.03, 0.01, 1000);

        var statistics = SeedStatistics.Of([Run(1, 0.92, 0.93, [0.91, 0.89], Intervals(significant, straddling))]);

        Assert.True(statistics.SwarmVersusLocalOnly.Significant);
        Assert.False(statistics.SwarmVersusCentralized.Significant);
        Assert.Equal("paired bootstrap of the test set (one seed)", statistics.SwarmVersusCentralized.TestUsed);
        // Significant, but +0.02 is short of the 0.03 margin the default run must show.
        Assert.False(statistics.BeatsLocalOnlyByMargin);
    }

    [Fact]
    public void The_seed_report_names_the_test_and_the_decision()
    {
        var runs = new[]
        {
            Run(1, 0.92, 0.93, [0.90, 0.80], Intervals(new(0.07, 0.04, 0.10, 1000), new(-0.01, -0.03, 0.01, 1000))),
            Run(2, 0.95, 0.93, [0.88, 0.84], Intervals(new(0.09, 0.06, 0.12, 1000), new(0.02, -0.01, 0.05, 1000))),
        };

        var md = SeedReportWriter.Markdown(runs, SeedStatistics.Of(runs));

        Assert.Contains("| swarm − local-only mean | +0.0800 ± 0.0141 |", md, StringComparison.Ordinal);
        // Two seeds give t(0.975; 1) = 12.706: +0.07 and +0.09 are not significant across seeds, though each seed's
        // bootstrap interval excludes zero.
        Assert.Contains("paired t-test across 2 seeds (df = 1) | no (2 of 2 seeds by bootstrap)", md, StringComparison.Ordinal);
        Assert.Contains("| swarm − centralized | +0.0050 ± 0.0212 |", md, StringComparison.Ordinal);
        Assert.Contains("+0.0700 [0.0400, 0.1000]", md, StringComparison.Ordinal);
    }
}
