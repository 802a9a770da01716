using System.Security.Cryptography;
using Google.Protobuf;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>Envelope-level signatures, and what each layer protects:
/// <list type="bullet">
/// <item>Mutual TLS 1.3 authenticates the link (both keys pinned in the consortium) and gives confidentiality and
/// integrity of the bytes between two nodes; it proves nothing to a third node.</item>
/// <item>The envelope signature (ECDSA P-256 over SHA-256 of the envelope encoded without its signature) binds an
/// actor message to its sender so it can be relayed, stored and shown to others as evidence (PBFT messages,
/// gossip). Actor messages must be signed; transport payloads (heartbeats, blob chunks) are not, because they
/// never leave the link and blob content is checked against its SHA-256 address instead.</item>
/// </list>
/// The encoding is Google.Protobuf's, which writes known fields in field-number order, so both ends compute the same
/// bytes for the same message.</summary>
public sealed class EnvelopeSigner(ECDsa key) : IDisposable
{
    private readonly Lock _gate = new();

    public static bool MustBeSigned(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return envelope.PayloadCase == Envelope.PayloadOneofCase.Actor;
    }

    public void Sign(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        envelope.Signature = ByteString.Empty;
        var bytes = envelope.ToByteArray();
        byte[] signature;
        lock (_gate)
        {
            signature = key.SignData(bytes, HashAlgorithmName.SHA256);
        }
        envelope.Signature = UnsafeByteOperations.UnsafeWrap(signature);
    }

    /// <summary>True when the envelope carries a valid signature by <paramref name="publicKey"/>.</summary>
    public static bool Verify(Envelope envelope, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(publicKey);
        var signature = envelope.Signature;
        if (signature.Length == 0)
        {
            return false;
        }
        var unsigned = envelope.Clone();
        unsigned.Signature = ByteString.Empty;
        return publicKey.VerifyData(unsigned.ToByteArray(), signature.Span, HashAlgorithmName.SHA256);
    }

    public void Dispose() => key.Dispose();
}
