using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>The long-lived connection this node dials to one peer, and the bounded queue feeding it. Each node
/// sends only on the connection it dialed and receives on the one the peer dialed, so two nodes dialing each other
/// at the same time never have to decide which connection survives. Delivery is ordered and at most once: an
/// envelope taken from the queue when the connection breaks is lost, and the receiver sees a sequence gap.</summary>
internal sealed class OutboundLink(string peerId, TransportContext context) : IAsyncDisposable
{
    /// <summary>Blob-chunk data from this size on goes to TLS without being copied into the batch first.</summary>
    private const int DirectDataBytesMin = 16 * 1024;

    private readonly CancellationTokenSource _stop = new();
    private readonly ReconnectBackoff _backoff = new(context.Options.ReconnectDelayMin, context.Options.ReconnectDelayMax, new Random());
    private Task _run = Task.CompletedTask;
    private volatile Socket? _socket;
    private long _lastHeardTicks;

    public OutboundQueue Queue { get; } = new(context.Options.PeerQueueMessagesMax, context.Options.PeerQueueBytesMax);

    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>Drops the current connection as a network fault would; the link redials.</summary>
    public void Cut() => _socket?.Dispose();

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            var reason = await RunOneConnectionAsync(ct).ConfigureAwait(false);
            if (ct.IsCancellationRequested)
            {
                break;
            }
            var delay = _backoff.NextDelay();
            context.Logger.LogInformation("link {Node} -> {Peer} down: {Reason}; redial in {DelayMs} ms",
                context.Identity.NodeId, peerId, reason, (int)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, context.Time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<string> RunOneConnectionAsync(CancellationToken ct)
    {
        string? refusal = null;
        try
        {
            var member = context.Consortium.Find(peerId)
                ?? throw new LinkFailureException($"'{peerId}' is no longer in the consortium");
            var (host, port) = member.HostAndPort;
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _socket = socket;
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
            handshake.CancelAfter(context.Options.HandshakeTimeout);
            await socket.ConnectAsync(host, port, handshake.Token).ConfigureAwait(false);
            // Only the write side of the coalescing stream matters here: an outbound link reads nothing but small replies.
            var wire = new CoalescingStream(new NetworkStream(socket, ownsSocket: false), readBufferBytes: 1024);
            await using var ssl = new SslStream(wire);
            var options = TlsSettings.Client(context.Identity, () => context.Consortium, peerId, r => refusal = r);
            await ssl.AuthenticateAsClientAsync(options, handshake.Token).ConfigureAwait(false);
            _backoff.Reset();
            context.Logger.LogInformation("link {Node} -> {Peer} up ({Endpoint}, {Protocol})",
                context.Identity.NodeId, peerId, member.Endpoint, ssl.SslProtocol);
            await RunSessionAsync(ssl, wire, ct).ConfigureAwait(false);
            return "closed";
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or ObjectDisposedException
            or OperationCanceledException or LinkFailureException)
        {
            if (refusal is not null)
            {
                context.Logger.LogWarning("refused peer {Peer}: {Reason}", peerId, refusal);
                return $"refused: {refusal}";
            }
            return e.Message;
        }
        finally
        {
            _socket = null;
        }
    }

    private async Task RunSessionAsync(SslStream ssl, CoalescingStream wire, CancellationToken ct)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Interlocked.Exchange(ref _lastHeardTicks, context.Time.GetTimestamp());
        var tasks = new[] { WriteLoopAsync(ssl, wire, session.Token), ReadRepliesAsync(ssl, session.Token), HeartbeatLoopAsync(session.Token) };
        var first = await Task.WhenAny(tasks).ConfigureAwait(false);
        await session.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (first.IsFaulted || first.IsCanceled)
        {
            // The first failure is the one reported below; the others are consequences of closing the socket.
        }
        await first.ConfigureAwait(false);
    }

    /// <summary>Each batch of frames becomes one TLS write; the coalescing stream under TLS then hands the records to
    /// the socket in a few large writes instead of one per 16 KiB record. The data of a large blob chunk is not copied
    /// into the batch: the batch so far (ending with the chunk's header) goes to TLS, then the data straight from the
    /// sender's buffer.</summary>
    private async Task WriteLoopAsync(SslStream ssl, CoalescingStream wire, CancellationToken ct)
    {
        var batch = new ArrayBufferWriter<byte>(64 * 1024);
        while (true)
        {
            var item = await Queue.DequeueAsync(ct).ConfigureAwait(false);
            wire.BeginBatch();
            long direct = 0;
            do
            {
                direct += await AppendAsync(ssl, batch, item, ct).ConfigureAwait(false);
            }
            while (direct + batch.WrittenCount < context.Options.WriteBatchBytesMax && Queue.TryDequeue(out item));
            if (batch.WrittenCount > 0)
            {
                await ssl.WriteAsync(batch.WrittenMemory, ct).ConfigureAwait(false);
                batch.ResetWrittenCount();
            }
            await ssl.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Adds one envelope to the batch; returns the bytes it wrote to TLS directly (a chunk's data).</summary>
    private async ValueTask<int> AppendAsync(SslStream ssl, ArrayBufferWriter<byte> batch, (Envelope Envelope, int Bytes, Action? Encoded) item, CancellationToken ct)
    {
        if (EnvelopeSigner.MustBeSigned(item.Envelope))
        {
            context.Signer.Sign(item.Envelope);
        }
        if (!BlobChunkWire.CanWriteDirect(item.Envelope, DirectDataBytesMin))
        {
            FrameWriter.Append(batch, item.Envelope);
            item.Encoded?.Invoke();
            return 0;
        }
        var data = item.Envelope.BlobChunk.Data.Memory;
        try
        {
            BlobChunkWire.WriteHeader(batch, item.Envelope);
            await ssl.WriteAsync(batch.WrittenMemory, ct).ConfigureAwait(false);
            batch.ResetWrittenCount();
            await ssl.WriteAsync(data, ct).ConfigureAwait(false);
        }
        finally
        {
            item.Encoded?.Invoke();
        }
        BlobChunkWire.WriteTrailer(batch, item.Envelope);
        return data.Length;
    }

    /// <summary>The acceptor only ever answers heartbeats on this connection; anything else ends it.</summary>
    private async Task ReadRepliesAsync(SslStream ssl, CancellationToken ct)
    {
        var decoder = new FrameDecoder(context.Options.FrameBytesMax);
        while (true)
        {
            var read = await ssl.ReadAsync(decoder.GetReadBuffer(4096), ct).ConfigureAwait(false);
            if (read == 0)
            {
                throw new LinkFailureException("peer closed the connection");
            }
            decoder.Commit(read);
            while (decoder.Next() is { } frame)
            {
                if (frame.Envelope is not { PayloadCase: Envelope.PayloadOneofCase.Heartbeat, Heartbeat.Reply: true })
                {
                    throw new LinkFailureException($"unexpected frame on the reply channel: {frame.Rejection?.ToString() ?? frame.Envelope!.PayloadCase.ToString()}");
                }
                Interlocked.Exchange(ref _lastHeardTicks, context.Time.GetTimestamp());
            }
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(context.Options.HeartbeatInterval, context.Time);
        ulong nonce = 0;
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            var silent = context.Time.GetElapsedTime(Interlocked.Read(ref _lastHeardTicks));
            if (silent > context.Options.PeerTimeout)
            {
                throw new LinkFailureException($"no heartbeat reply for {silent.TotalSeconds:F1} s");
            }
            Queue.TryEnqueue(new Envelope { From = context.Identity.NodeId, Heartbeat = new Heartbeat { Nonce = ++nonce } }, 32);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        await _run.ConfigureAwait(false);
        _stop.Dispose();
    }
}
