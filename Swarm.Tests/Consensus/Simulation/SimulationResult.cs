namespace Swarm.Tests.Consensus.Simulation;

/// <summary>The outcome of one run; <see cref="Report"/> names the seed and every replica's status line.</summary>
public sealed record SimulationResult(bool Ok, string Report);
