using Swarm.Learning.Statistics;

namespace Swarm.Node.Simulation.Reporting;

/// <summary>The same simulation at several seeds, summarised: each method's test AUC and ACC as mean ± sd with a
/// 95 % t interval across seeds, and the paired comparisons the report judges. A seed changes the split, the
/// initialisation and the shuffling, so the spread is the spread of the whole experiment.</summary>
public sealed record SeedStatistics(
    IReadOnlyList<int> Seeds,
    IReadOnlyList<MethodSummary> Methods,
    Comparison SwarmVersusLocalOnly,
    Comparison SwarmVersusCentralized)
{
    /// <summary>The goal the default run must show: swarm AUC at least this far above the local-only mean.</summary>
    public const double LocalOnlyMarginMin = 0.03;

    /// <summary>… and at most this far from centralized.</summary>
    public const double CentralizedGapMax = 0.02;

    public static SeedStatistics Of(IReadOnlyList<SimulationResults> runs)
    {
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        var methods = new List<MethodSummary>
        {
            MethodSummary.Of("swarm (global model)", runs.Select(r => r.Swarm)),
            MethodSummary.Of("centralized", runs.Select(r => r.Centralized)),
        };
        if (runs.All(r => r.CentralDp is not null))
        {
            methods.Add(MethodSummary.Of("centralized DP-SGD", runs.Select(r => r.CentralDp!)));
        }
        methods.Add(MethodSummary.Of("local-only (mean over sites)", runs.Select(r => r.LocalOnlyMean)));
        var sites = runs.Min(r => r.LocalOnly.Count);
        for (var s = 0; s < sites; s++)
        {
            methods.Add(MethodSummary.Of($"local-only {runs[0].LocalOnly[s].Site}", runs.Select(r => r.LocalOnly[s].Score)));
        }
        return new SeedStatistics([.. runs.Select(r => r.Seed)], methods,
            Compare("swarm − local-only mean", runs, r => r.Swarm.Auc - r.LocalOnlyMean.Auc, i => i.SwarmMinusLocalOnlyMean),
            Compare("swarm − centralized", runs, r => r.Swarm.Auc - r.Centralized.Auc, i => i.SwarmMinusCentralized));
    }

    /// <summary>Mean swarm − local-only AUC difference at least <see cref="LocalOnlyMarginMin"/>.</summary>
    public bool BeatsLocalOnlyByMargin => SwarmVersusLocalOnly.AcrossSeeds.Mean >= LocalOnlyMarginMin;

    /// <summary>Mean |swarm − centralized| AUC difference at most <see cref="CentralizedGapMax"/>.</summary>
    public bool CloseToCentralized => Math.Abs(SwarmVersusCentralized.AcrossSeeds.Mean) <= CentralizedGapMax;

    private static Comparison Compare(string name, IReadOnlyList<SimulationResults> runs, Func<SimulationResults, double> difference,
        Func<TestIntervals, BootstrapInterval> bootstrap) =>
        new(name, SeedSummary.Of(runs.Select(difference)),
            [.. runs.Where(r => r.Intervals is not null).Select(r => bootstrap(r.Intervals!))]);
}
