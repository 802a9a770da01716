using System.Buffers;
using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Blobs;

/// <summary>Moves blobs between nodes over the <see cref="PeerTransport"/>. The receiver asks for a blob from an offset
/// (<see cref="BlobRequest"/>); the sender streams it from disk in chunks, each <c>SendAsync</c> waiting for room in
/// the peer's bounded queue, and the receiver's read loop lets at most one chunk be written (and hashed) in the
/// background while it reads the next, so TCP carries the back-pressure end to end and neither side holds more than a
/// queue's worth of the blob in memory. When a link
/// breaks (or stalls) the receiver asks again from the end of its partial file. On the last byte the content must
/// hash to the requested address; otherwise the partial file is deleted and the fetch fails.</summary>
public sealed class BlobTransfer : ILeasedEnvelopeHandler, IAsyncDisposable
{
    private readonly BlobStore _store;
    private readonly IBlobSource _source;
    private readonly BlobTransferOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Download> _downloads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Peer, string Hash), CancellationTokenSource> _serves = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ArrayPool<byte> _chunkBuffers;
    private PeerTransport? _transport;
    private Task _watchdog = Task.CompletedTask;

    /// <param name="store">Where fetched blobs land.</param>
    /// <param name="options">Limits.</param>
    /// <param name="logger">Where the transfer logs.</param>
    /// <param name="time">The clock of the stall watchdog.</param>
    /// <param name="source">What this node serves, and to whom; by default every blob of <paramref name="store"/>
    /// to every peer.</param>
    public BlobTransfer(BlobStore store, BlobTransferOptions? options = null, ILogger? logger = null, TimeProvider? time = null,
        IBlobSource? source = null)
    {
        _store = store;
        _source = source ?? new StoreBlobSource(store);
        _options = options ?? new BlobTransferOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        // Reused chunk buffers: a fresh 1 MiB array per chunk costs page faults and GC work on every megabyte.
        _chunkBuffers = ArrayPool<byte>.Create(_options.ChunkBytes, 64);
    }

    /// <summary>Raised after each chunk is accepted (its write to the partial file has started): (hash, bytes received so far).</summary>
    public event Action<string, long>? Progress;

    /// <summary>Registers the blob payloads on <paramref name="router"/>; call before the transport starts.</summary>
    public void RouteOn(PayloadRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.Route(Envelope.PayloadOneofCase.BlobRequest, this)
            .Route(Envelope.PayloadOneofCase.BlobChunk, this)
            .Route(Envelope.PayloadOneofCase.BlobError, this);
    }

    public void Attach(PeerTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        transport.InboundLinkClosed += peer => _ = ResumeFromAsync(peer, "the link from the peer closed");
        _watchdog = Task.Run(WatchStallsAsync);
    }

    /// <summary>Fetches <paramref name="hash"/> from <paramref name="peerId"/> into the store, resuming a partial file
    /// left by an earlier attempt. Concurrent fetches of one hash share one download.</summary>
    public async Task<BlobCheck> FetchAsync(string peerId, string hash, CancellationToken cancellationToken = default)
    {
        BlobHash.ThrowIfInvalid(hash);
        if (_store.Contains(hash))
        {
            return BlobCheck.Intact(hash);
        }
        var created = false;
        var download = _downloads.GetOrAdd(hash, h =>
        {
            created = true;
            return new Download(peerId, h, _store.PartialPathOf(h), _time.GetTimestamp());
        });
        if (created)
        {
            await RequestAsync(download, "start").ConfigureAwait(false);
        }
        return await download.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask HandleAsync(string fromNodeId, Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return envelope.PayloadCase switch
        {
            Envelope.PayloadOneofCase.BlobRequest => Serve(fromNodeId, envelope.BlobRequest),
            Envelope.PayloadOneofCase.BlobChunk => ReceiveAsync(fromNodeId, envelope.BlobChunk, null, cancellationToken),
            Envelope.PayloadOneofCase.BlobError => Refused(fromNodeId, envelope.BlobError),
            _ => ValueTask.CompletedTask,
        };
    }

    /// <summary>A chunk whose data lies in the connection's pooled frame buffer: the buffer is given back once the
    /// chunk has been written and hashed (or dropped).</summary>
    public ValueTask HandleAsync(string fromNodeId, Envelope envelope, FrameLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(lease);
        if (envelope.PayloadCase == Envelope.PayloadOneofCase.BlobChunk)
        {
            return ReceiveAsync(fromNodeId, envelope.BlobChunk, lease, cancellationToken);
        }
        lease.Detach(envelope);
        return HandleAsync(fromNodeId, envelope, cancellationToken);
    }

    private ValueTask Serve(string peer, BlobRequest request)
    {
        var path = BlobHash.IsValid(request.Hash) ? _source.PathFor(peer, request.Hash) : null;
        var reason = !BlobHash.IsValid(request.Hash) ? "not a blob hash"
            : LengthOf(path) is not { } length ? "not in the store"
            : request.Offset > (ulong)length ? $"offset {request.Offset} is beyond the blob's {length} bytes"
            : _serves.Count >= _options.ServesMax && !_serves.ContainsKey((peer, request.Hash)) ? "busy, try later"
            : null;
        if (reason is not null)
        {
            return SendErrorAsync(peer, request.Hash, reason);
        }
        // A new request for the same blob means the peer lost the old stream: replace it.
        var serve = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        if (_serves.TryRemove((peer, request.Hash), out var previous))
        {
            try
            {
                previous.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // That stream had just finished on its own.
            }
        }
        _serves[(peer, request.Hash)] = serve;
        _ = Task.Run(() => StreamAsync(peer, request.Hash, path!, (long)request.Offset, serve));
        return ValueTask.CompletedTask;
    }

    private static long? LengthOf(string? path)
    {
        if (path is null)
        {
            return null;
        }
        var info = new FileInfo(path);
        return info.Exists ? info.Length : null;
    }

    private async Task StreamAsync(string peer, string hash, string path, long offset, CancellationTokenSource serve)
    {
        try
        {
            await using var file = File.Exists(path)
                ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan)
                : null;
            if (file is null)
            {
                await SendErrorAsync(peer, hash, "not in the store").ConfigureAwait(false);
                return;
            }
            var total = file.Length;
            file.Position = offset;
            do
            {
                var length = (int)Math.Min(_options.ChunkBytes, total - offset);
                var buffer = _chunkBuffers.Rent(length);
                var data = buffer.AsMemory(0, length);
                await file.ReadExactlyAsync(data, serve.Token).ConfigureAwait(false);
                var chunk = new BlobChunk
                {
                    Hash = hash, Offset = (ulong)offset, TotalBytes = (ulong)total,
                    Data = UnsafeByteOperations.UnsafeWrap(data), Last = offset + length == total,
                };
                // The buffer goes back to the pool once the link has copied it into a frame or written it to TLS.
                await _transport!.SendAsync(peer, new Envelope { BlobChunk = chunk }, () => _chunkBuffers.Return(buffer), serve.Token).ConfigureAwait(false);
                offset += length;
            }
            while (offset < total);
        }
        catch (OperationCanceledException)
        {
            _logger.LogDebug("stream of blob {Hash} to {Peer} replaced or stopped", hash, peer);
        }
        catch (IOException e)
        {
            _logger.LogWarning("stream of blob {Hash} to {Peer} failed: {Reason}", hash, peer, e.Message);
            await SendErrorAsync(peer, hash, "read error at the source").ConfigureAwait(false);
        }
        finally
        {
            _serves.TryRemove(new KeyValuePair<(string, string), CancellationTokenSource>((peer, hash), serve));
            serve.Dispose();
        }
    }

    private async ValueTask ReceiveAsync(string peer, BlobChunk chunk, FrameLease? lease, CancellationToken ct)
    {
        if (!_downloads.TryGetValue(chunk.Hash, out var download) || download.PeerId != peer)
        {
            lease?.Dispose();
            return; // Not asked for (or from someone else): dropped, never written.
        }
        if ((long)chunk.Offset != download.Offset)
        {
            lease?.Dispose();
            return; // Left over from a stream that a resume replaced; the resumed stream brings these bytes again.
        }
        var total = (long)chunk.TotalBytes;
        var problem = total > _options.BlobBytesMax ? $"peer announced {total} bytes, above BlobBytesMax {_options.BlobBytesMax}"
            : download.TotalBytes is { } known && known != total ? $"peer changed the blob size from {known} to {total}"
            : download.Offset + chunk.Data.Length > total ? $"chunk at {chunk.Offset} runs past the announced {total} bytes"
            : chunk.Last != (download.Offset + chunk.Data.Length == total) ? "last flag does not match the announced size"
            : chunk.Data.Length == 0 && !chunk.Last ? "empty chunk"
            : null;
        if (problem is not null)
        {
            lease?.Dispose();
            Finish(download, BlobCheck.Failed(download.Hash, $"from {peer}: {problem}"), deletePartial: true);
            return;
        }
        download.TotalBytes = total;
        await download.AppendAsync(chunk.Data.Memory, lease, ct).ConfigureAwait(false);
        download.LastProgressTicks = _time.GetTimestamp();
        Progress?.Invoke(download.Hash, download.Offset);
        if (chunk.Last)
        {
            await CompleteAsync(download).ConfigureAwait(false);
        }
    }

    private async ValueTask CompleteAsync(Download download)
    {
        var actual = await download.FinishAsync().ConfigureAwait(false);
        if (actual != download.Hash)
        {
            Finish(download, BlobCheck.Failed(download.Hash, $"content from {download.PeerId} hashes to {actual}; partial file deleted"), deletePartial: true);
            return;
        }
        if (!_downloads.TryRemove(new KeyValuePair<string, Download>(download.Hash, download)))
        {
            return;
        }
        _store.PublishPartial(download.Hash, download.Handle);
        download.Dispose();
        _logger.LogInformation("blob {Hash} ({Bytes} bytes) received from {Peer} and verified", download.Hash, download.Offset, download.PeerId);
        download.Completion.TrySetResult(BlobCheck.Intact(download.Hash));
    }

    private ValueTask Refused(string peer, BlobError error)
    {
        if (_downloads.TryGetValue(error.Hash, out var download) && download.PeerId == peer)
        {
            Finish(download, BlobCheck.Failed(download.Hash, $"{peer} cannot serve it: {error.Reason}"), deletePartial: false);
        }
        return ValueTask.CompletedTask;
    }

    private void Finish(Download download, BlobCheck result, bool deletePartial)
    {
        if (!_downloads.TryRemove(new KeyValuePair<string, Download>(download.Hash, download)))
        {
            return;
        }
        download.Dispose();
        if (deletePartial)
        {
            File.Delete(_store.PartialPathOf(download.Hash));
        }
        _logger.LogWarning("{Error}", result.Error);
        download.Completion.TrySetResult(result);
    }

    private async Task ResumeFromAsync(string peer, string why)
    {
        foreach (var download in _downloads.Values.Where(d => d.PeerId == peer))
        {
            await RequestAsync(download, why).ConfigureAwait(false);
        }
    }

    private async Task RequestAsync(Download download, string why)
    {
        if (++download.Requests > _options.RequestsMax)
        {
            Finish(download, BlobCheck.Failed(download.Hash, $"gave up after {_options.RequestsMax} requests to {download.PeerId}"), deletePartial: false);
            return;
        }
        download.LastProgressTicks = _time.GetTimestamp();
        if (download.Requests > 1)
        {
            _logger.LogInformation("resuming blob {Hash} from {Peer} at byte {Offset}: {Why}", download.Hash, download.PeerId, download.Offset, why);
        }
        var request = new BlobRequest { Hash = download.Hash, Offset = (ulong)download.Offset };
        try
        {
            await _transport!.SendAsync(download.PeerId, new Envelope { BlobRequest = request }, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
        catch (Exception e) when (e is ArgumentException or ObjectDisposedException)
        {
            Finish(download, BlobCheck.Failed(download.Hash, $"cannot ask {download.PeerId}: {e.Message}"), deletePartial: false);
        }
    }

    private async Task WatchStallsAsync()
    {
        using var timer = new PeriodicTimer(_options.StallTimeout / 4, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                foreach (var download in _downloads.Values.Where(d => _time.GetElapsedTime(d.LastProgressTicks) > _options.StallTimeout))
                {
                    await RequestAsync(download, $"no progress for {_options.StallTimeout.TotalSeconds:F0} s").ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private async ValueTask SendErrorAsync(string peer, string hash, string reason)
    {
        var error = new BlobError { Hash = BlobHash.IsValid(hash) ? hash : "", Reason = reason };
        _logger.LogWarning("refusing blob request from {Peer}: {Reason}", peer, reason);
        await _transport!.SendAsync(peer, new Envelope { BlobError = error }, _stop.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _watchdog.ConfigureAwait(false);
        foreach (var download in _downloads.Values)
        {
            Finish(download, BlobCheck.Failed(download.Hash, "node stopping; the partial file is kept for a later resume"), deletePartial: false);
        }
        _stop.Dispose();
    }
}
