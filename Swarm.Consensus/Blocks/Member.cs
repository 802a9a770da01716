namespace Swarm.Consensus.Blocks;

/// <summary>A chain member: its replica id and its public key (SEC1 uncompressed P-256 point for ECDSA).</summary>
public sealed record Member(int Id, byte[] PublicKey);
