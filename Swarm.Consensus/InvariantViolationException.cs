namespace Swarm.Consensus;

/// <summary>An internal invariant of the consensus core does not hold: a bug, not a fault of a peer.</summary>
public sealed class InvariantViolationException(string message) : Exception("consensus invariant violated: " + message);
