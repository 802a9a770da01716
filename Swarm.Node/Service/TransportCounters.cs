namespace Swarm.Node.Service;

/// <summary>Actor messages that crossed (or failed to cross) the transport, for /metrics. Thread-safe.</summary>
public sealed class TransportCounters
{
    private long _sent;
    private long _received;
    private long _rejected;
    private long _dropped;

    public long Sent => Interlocked.Read(ref _sent);

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Inbound messages refused at the edge (unknown type, malformed, invalid fields, unknown actor path).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Outbound messages not queued (peer queue full, peer not in the consortium, no codec for the type).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void CountSent() => Interlocked.Increment(ref _sent);

    public void CountReceived() => Interlocked.Increment(ref _received);

    public void CountRejected() => Interlocked.Increment(ref _rejected);

    public void CountDropped() => Interlocked.Increment(ref _dropped);
}
