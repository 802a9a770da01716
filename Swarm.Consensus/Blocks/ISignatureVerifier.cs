namespace Swarm.Consensus.Blocks;

/// <summary>Checks a signature over canonical bytes. The core only knows this interface, so it stays free of
/// cryptographic libraries; the Ed25519 implementation lives at the edge (Swarm.Actors.Consensus.Ed25519SignatureScheme).</summary>
public interface ISignatureVerifier
{
    bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);
}
