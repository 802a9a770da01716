using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Swarm.Node.Blobs;

/// <summary>One blob being received: the partial file, how much of it is written, and the running hash. The
/// partial file survives broken connections and restarts; only a finished, verified file becomes a blob. Each chunk is
/// written and hashed (in parallel) in the background while the connection receives the next one; at most one chunk
/// is in flight, so <see cref="AppendAsync"/> still passes the disk's back-pressure on to TCP.</summary>
internal sealed class Download : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private Task _inFlight = Task.CompletedTask;
    private long _inFlightOffset;

    public Download(string peerId, string hash, string partialPath, long nowTicks)
    {
        PeerId = peerId;
        Hash = hash;
        Handle = File.OpenHandle(partialPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, FileOptions.None);
        Offset = RandomAccess.GetLength(Handle);
        HashExistingPrefix();
        LastProgressTicks = nowTicks;
    }

    public string PeerId { get; }

    public string Hash { get; }

    public SafeFileHandle Handle { get; }

    public long Offset { get; private set; }

    public long? TotalBytes { get; set; }

    public long LastProgressTicks { get; set; }

    public int Requests { get; set; }

    public TaskCompletionSource<BlobCheck> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Accepts <paramref name="data"/> as the bytes at <see cref="Offset"/>: waits for the previous chunk to be
    /// written and hashed, then starts this one in the background. The caller must not change <paramref name="data"/>
    /// afterwards; <paramref name="lease"/>, when given (the buffer <paramref name="data"/> lies in), is disposed once
    /// the chunk is written and hashed, or at once if it is never started. A failed write surfaces here (or in <see cref="FinishAsync"/>), after the download has been put back
    /// to the end of what is on disk, so that a resume asks for the right bytes.</summary>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, IDisposable? lease, CancellationToken ct)
    {
        try
        {
            await SettleAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            lease?.Dispose();
            throw;
        }
        _inFlightOffset = Offset;
        Offset += data.Length;
        var offset = _inFlightOffset;
        // On another thread, so that the connection's read loop goes on receiving meanwhile.
        _inFlight = Task.Run(() => WriteAndHashAsync(data, offset, lease, ct), CancellationToken.None);
    }

    /// <summary>Waits for the last chunk and returns the hash of everything written.</summary>
    public async ValueTask<string> FinishAsync()
    {
        await SettleAsync().ConfigureAwait(false);
        return Convert.ToHexStringLower(_sha.GetHashAndReset());
    }

    private async Task WriteAndHashAsync(ReadOnlyMemory<byte> data, long offset, IDisposable? lease, CancellationToken ct)
    {
        try
        {
            var write = RandomAccess.WriteAsync(Handle, data, offset, ct);
            _sha.AppendData(data.Span);
            await write.ConfigureAwait(false);
        }
        finally
        {
            lease?.Dispose();
        }
    }

    private async ValueTask SettleAsync()
    {
        try
        {
            await _inFlight.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The hash took bytes the file may not have: cut the file back to what was written before the failed
            // chunk and hash it again, so that the download can resume from there.
            _inFlight = Task.CompletedTask;
            Offset = _inFlightOffset;
            RandomAccess.SetLength(Handle, Offset);
            _sha.GetHashAndReset();
            HashExistingPrefix();
            throw;
        }
    }

    /// <summary>After a restart the partial file's bytes are hashed once, then the download continues after them.</summary>
    private void HashExistingPrefix()
    {
        var buffer = new byte[1024 * 1024];
        for (long position = 0; position < Offset;)
        {
            var read = RandomAccess.Read(Handle, buffer, position);
            _sha.AppendData(buffer, 0, read);
            position += read;
        }
    }

    public void Dispose()
    {
        // A chunk still in flight uses the file and the hash; let it end (at most one chunk) before closing them.
        ((IAsyncResult)_inFlight).AsyncWaitHandle.WaitOne();
        Handle.Dispose();
        _sha.Dispose();
    }
}
