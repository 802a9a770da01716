namespace Swarm.Consensus.Blocks;

/// <summary>A chain member: its replica id and its public key (the raw 32-byte Ed25519 key).</summary>
public sealed record Member(int Id, byte[] PublicKey);
