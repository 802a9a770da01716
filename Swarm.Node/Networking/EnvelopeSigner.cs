using Google.Protobuf;
using Swarm.Actors.Consensus;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>Envelope-level signatures, and what each layer protects:
/// <list type="bullet">
/// <item>Mutual TLS 1.3 authenticates the link (both TLS keys pinned in the consortium) and gives confidentiality
/// and integrity of the bytes between two nodes; it proves nothing to a third node.</item>
/// <item>The envelope signature (Ed25519 with the sender's signing key, over the envelope encoded without its
/// signature) binds an actor message to its sender so it can be relayed, stored and shown to others as evidence
/// (PBFT messages, task requests). Over Akka.Remote it is the only binding of a message to its sender, since
/// Akka does not tell the receiver which TLS peer sent it (<see cref="Clustering.RemoteInbox"/>). Actor messages
/// must be signed; transport payloads (heartbeats, blob chunks) are not, because they never leave the link and blob
/// content is checked against its SHA-256 address instead.</item>
/// </list>
/// The encoding is Google.Protobuf's, which writes known fields in field-number order, so both ends compute the same
/// bytes for the same message.</summary>
public sealed class EnvelopeSigner(ISigner signer)
{
    private static readonly Ed25519SignatureScheme Scheme = new();

    public static bool MustBeSigned(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return envelope.PayloadCase == Envelope.PayloadOneofCase.Actor;
    }

    public void Sign(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        envelope.Signature = ByteString.Empty;
        envelope.Signature = UnsafeByteOperations.UnsafeWrap(signer.Sign(envelope.ToByteArray()));
    }

    /// <summary>True when the envelope carries a valid signature by the Ed25519 key <paramref name="publicKey"/>.</summary>
    public static bool Verify(Envelope envelope, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var signature = envelope.Signature;
        if (signature.Length == 0)
        {
            return false;
        }
        var unsigned = envelope.Clone();
        unsigned.Signature = ByteString.Empty;
        return Scheme.Verify(publicKey, unsigned.ToByteArray(), signature.Span);
    }
}
