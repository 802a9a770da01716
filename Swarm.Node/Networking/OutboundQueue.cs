using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>The bounded queue of envelopes waiting for one peer's link, limited in messages and in encoded bytes.
/// Producers either wait for room (<see cref="EnqueueAsync"/>) or are told no (<see cref="TryEnqueue"/>). The
/// queue assigns the per-link sequence numbers, so their order is the order of delivery.</summary>
internal sealed class OutboundQueue(int messagesMax, long bytesMax)
{
    private readonly Lock _gate = new();
    private readonly Queue<(Envelope Envelope, int Bytes, Action? Encoded)> _items = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytes;
    private ulong _sequence;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary><paramref name="encoded"/> runs once the link no longer reads the envelope's buffers (it has copied
    /// them into a frame or written them to TLS), so a caller can reuse them.</summary>
    public bool TryEnqueue(Envelope envelope, int bytes, Action? encoded = null)
    {
        lock (_gate)
        {
            // A single envelope may always enter an empty queue, so one large frame cannot block a link forever.
            if (_items.Count >= messagesMax || (_items.Count > 0 && _bytes + bytes > bytesMax))
            {
                return false;
            }
            envelope.Sequence = ++_sequence;
            _items.Enqueue((envelope, bytes, encoded));
            _bytes += bytes;
            PulseLocked();
            return true;
        }
    }

    public async ValueTask EnqueueAsync(Envelope envelope, int bytes, Action? encoded, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (TryEnqueue(envelope, bytes, encoded))
                {
                    return;
                }
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public bool TryDequeue(out (Envelope Envelope, int Bytes, Action? Encoded) item)
    {
        lock (_gate)
        {
            if (_items.TryDequeue(out item))
            {
                _bytes -= item.Bytes;
                PulseLocked();
                return true;
            }
        }
        return false;
    }

    public async ValueTask<(Envelope Envelope, int Bytes, Action? Encoded)> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (TryDequeue(out var item))
                {
                    return item;
                }
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void PulseLocked()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }
}
