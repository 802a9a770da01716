using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>What the decoder made of one frame: exactly one of an envelope or a rejection.</summary>
public readonly record struct DecodedFrame
{
    private DecodedFrame(Envelope? envelope, FrameRejection? rejection, FrameLease? lease = null)
    {
        Envelope = envelope;
        Rejection = rejection;
        Lease = lease;
    }

    public Envelope? Envelope { get; }

    public FrameRejection? Rejection { get; }

    /// <summary>Set when the envelope's blob-chunk data lies in a pooled buffer; the receiver must dispose it (or
    /// <see cref="FrameLease.Detach"/> the envelope) when done.</summary>
    public FrameLease? Lease { get; }

    public static DecodedFrame Accept(Envelope envelope, FrameLease? lease = null) => new(envelope, null, lease);

    public static DecodedFrame Reject(FrameRejectionKind kind, string detail) => new(null, new FrameRejection(kind, detail));
}
