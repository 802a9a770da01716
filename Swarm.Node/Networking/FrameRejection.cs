namespace Swarm.Node.Networking;

/// <summary>Bytes that were refused, with a human-readable detail (never the bytes themselves).</summary>
public sealed record FrameRejection(FrameRejectionKind Kind, string Detail)
{
    public override string ToString() => $"{Kind}: {Detail}";
}
