namespace Swarm.Node.Simulation;

/// <summary>A simulation cannot go on: a round was rejected or could not reach its quorum.</summary>
public sealed class SimulationException(string message) : Exception(message);
