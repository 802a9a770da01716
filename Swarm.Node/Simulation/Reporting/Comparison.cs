using Swarm.Learning.Statistics;

namespace Swarm.Node.Simulation.Reporting;

/// <summary>
/// A difference of test AUC between two methods (<paramref name="Name"/>, e.g. "swarm − local-only mean"), paired
/// by seed: <paramref name="AcrossSeeds"/> summarises the per-seed differences (its interval is the paired t
/// interval), <paramref name="PerSeed"/> holds each seed's paired test-set bootstrap interval of the difference.
/// </summary>
public sealed record Comparison(string Name, SeedSummary AcrossSeeds, IReadOnlyList<BootstrapInterval> PerSeed)
{
    /// <summary>Significant at the 5 % level, two-sided. With two seeds or more: the paired t-test across seeds
    /// (the t interval of the mean difference excludes zero), because the seed (split, initialisation, shuffling)
    /// is the larger source of variation and the test-set bootstrap does not see it. With one seed: the paired
    /// bootstrap of that run's test set.</summary>
    public bool Significant => AcrossSeeds.Count >= 2 ? AcrossSeeds.ExcludesZero : PerSeed.Count == 1 && PerSeed[0].ExcludesZero;

    /// <summary>Which test <see cref="Significant"/> applied, in words.</summary>
    public string TestUsed => AcrossSeeds.Count >= 2
        ? $"paired t-test across {AcrossSeeds.Count} seeds (df = {AcrossSeeds.Count - 1})"
        : "paired bootstrap of the test set (one seed)";

    /// <summary>How many seeds' paired bootstrap intervals exclude zero.</summary>
    public int SeedsSignificantByBootstrap => PerSeed.Count(b => b.ExcludesZero);
}
