using Swarm.Learning.Statistics;

namespace Swarm.Node.Simulation.Reporting;

/// <summary>One run's test-set bootstrap: the 95 % interval of each method's test AUC and of the two paired
/// differences the report judges (swarm − local-only mean, swarm − centralized), all on the same
/// <paramref name="Resamples"/> resamples of the test images drawn from <paramref name="Seed"/>.</summary>
public sealed record TestIntervals(
    int Resamples,
    ulong Seed,
    BootstrapInterval Swarm,
    BootstrapInterval Centralized,
    BootstrapInterval LocalOnlyMean,
    IReadOnlyList<BootstrapInterval> LocalOnly,
    BootstrapInterval SwarmMinusLocalOnlyMean,
    BootstrapInterval SwarmMinusCentralized);
