using System.Buffers;
using Google.Protobuf;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>A pooled frame buffer that a decoded envelope's blob-chunk data points into (no copy of the payload).
/// Whoever holds the lease must dispose it once nothing reads that data any more; the buffer then goes back to the
/// pool. Disposing twice is harmless.</summary>
public sealed class FrameLease : IDisposable
{
    private byte[]? _buffer;

    internal FrameLease(byte[] buffer) => _buffer = buffer;

    /// <summary>Hands <paramref name="envelope"/> to <paramref name="handler"/>: with its lease if the handler takes
    /// leases, else with its own copy of the leased bytes (the lease then ends here).</summary>
    public static ValueTask DeliverAsync(IEnvelopeHandler handler, string fromNodeId, Envelope envelope, FrameLease? lease,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (lease is null)
        {
            return handler.HandleAsync(fromNodeId, envelope, cancellationToken);
        }
        if (handler is ILeasedEnvelopeHandler leased)
        {
            return leased.HandleAsync(fromNodeId, envelope, lease, cancellationToken);
        }
        lease.Detach(envelope);
        return handler.HandleAsync(fromNodeId, envelope, cancellationToken);
    }

    /// <summary>For a handler that does not take leases: gives <paramref name="envelope"/> its own copy of the leased
    /// bytes, then ends the lease.</summary>
    public void Detach(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.PayloadCase == Envelope.PayloadOneofCase.BlobChunk)
        {
            envelope.BlobChunk.Data = ByteString.CopyFrom(envelope.BlobChunk.Data.Span);
        }
        Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
