using Swarm.Consensus.Blocks;

namespace Swarm.Tasks;

/// <summary>What a node's consent needs to declare and check sample counts: its own signing key
/// (<paramref name="Sign"/>), the consortium's signing key of each member (<paramref name="KeyOf"/>, null for a
/// stranger) and the signature scheme that checks them.</summary>
public sealed record SampleSigning(Func<byte[], byte[]> Sign, Func<string, byte[]?> KeyOf, ISignatureVerifier Verifier);
