namespace Swarm.Node.Networking;

/// <summary>Limits and timings of the peer transport. Every queue and frame is bounded (unit last in the name).</summary>
public sealed record TransportOptions
{
    /// <summary>Largest encoded envelope accepted or sent; a blob chunk plus its header must fit.</summary>
    public int FrameBytesMax { get; init; } = 4 * 1024 * 1024;

    /// <summary>Envelopes waiting to be written to one peer; beyond it SendAsync waits and TrySend fails.</summary>
    public int PeerQueueMessagesMax { get; init; } = 4096;

    /// <summary>Encoded bytes waiting to be written to one peer.</summary>
    public long PeerQueueBytesMax { get; init; } = 16L * 1024 * 1024;

    /// <summary>Bytes gathered into one TLS write when several small envelopes are queued.</summary>
    public int WriteBatchBytesMax { get; init; } = 256 * 1024;

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A link with no frame (or, for the dialer, no heartbeat reply) for this long is closed.</summary>
    public TimeSpan PeerTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReconnectDelayMin { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Accepted connections open at once (authenticated or not); more are closed at accept.</summary>
    public int InboundConnectionsMax { get; init; } = 256;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(FrameBytesMax, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(PeerQueueMessagesMax, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(PeerQueueBytesMax, FrameBytesMax);
        ArgumentOutOfRangeException.ThrowIfLessThan(PeerTimeout, HeartbeatInterval);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectDelayMax, ReconnectDelayMin);
    }
}
