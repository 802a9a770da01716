namespace Swarm.Tests.Tasks.Simulation;

/// <summary>One run's outcome: <see cref="Report"/> names the seed, the scenario and each site's status line;
/// <see cref="RoundsAdopted"/> is the most rounds any honest site adopted a final model for; <see cref="StalledOn"/>
/// names the unavailable update a masked run stalled on (the known gap of secure aggregation and secret sharing), if it did.</summary>
public sealed record TaskSimResult(bool Ok, string Report, int RoundsAdopted, string? StalledOn)
{
    /// <summary>The final rounds on the longest honest site's chain.</summary>
    public IReadOnlyList<Swarm.Tasks.FinalizedRound> Finalized { get; init; } = [];
}
