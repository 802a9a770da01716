using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>What the decoder made of one frame: exactly one of an envelope or a rejection.</summary>
public readonly record struct DecodedFrame
{
    private DecodedFrame(Envelope? envelope, FrameRejection? rejection)
    {
        Envelope = envelope;
        Rejection = rejection;
    }

    public Envelope? Envelope { get; }

    public FrameRejection? Rejection { get; }

    public static DecodedFrame Accept(Envelope envelope) => new(envelope, null);

    public static DecodedFrame Reject(FrameRejectionKind kind, string detail) => new(null, new FrameRejection(kind, detail));
}
