namespace Swarm.Consensus.Blocks;

/// <summary>A committed block with the certificate that proves it.</summary>
public sealed record CertifiedBlock(Block Block, CommitCertificate Certificate);
