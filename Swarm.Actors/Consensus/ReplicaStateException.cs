namespace Swarm.Actors.Consensus;

/// <summary>The replica's stored hard state cannot be read. The replica must not start: without it, it could vote
/// twice for one slot or forget prepared certificates. The node exits with code 4 on it.</summary>
public sealed class ReplicaStateException(string message) : Exception(message);
