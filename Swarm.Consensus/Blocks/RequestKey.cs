namespace Swarm.Consensus.Blocks;

/// <summary>Identifies a client request for duplicate suppression.</summary>
public readonly record struct RequestKey(string ClientId, long RequestId);
