namespace Swarm.Consensus.Blocks;

/// <summary>Checks a signature over canonical bytes. The core only knows this interface; the ECDSA P-256
/// implementation lives at the edge (Swarm.Actors.Consensus.EcdsaSignatureScheme).</summary>
public interface ISignatureVerifier
{
    bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);
}
