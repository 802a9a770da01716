namespace Swarm.Tests.Tasks.Simulation;

/// <summary>One run's outcome: <see cref="Report"/> names the seed, the scenario and each site's status line;
/// <see cref="RoundsAdopted"/> is the most rounds any honest site adopted a final model for; <see cref="StalledOn"/>
/// names the unavailable update a safe run stalled on (the protocol's known gap), if it did.</summary>
public sealed record TaskSimResult(bool Ok, string Report, int RoundsAdopted, string? StalledOn);
