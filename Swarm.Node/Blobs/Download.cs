using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Swarm.Node.Blobs;

/// <summary>One blob being received: the partial file, how much of it is written, and the running hash. The
/// partial file survives broken connections and restarts; only a finished, verified file becomes a blob. Hashing a
/// chunk runs on another thread while the chunk is written and the next one is received (SHA-256 of a megabyte costs
/// about as much as receiving it), one chunk behind at most; <see cref="FinishHash"/> waits for it.</summary>
internal sealed class Download : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private Task _hashing = Task.CompletedTask;

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

    /// <summary>Writes <paramref name="data"/> at <see cref="Offset"/> and queues it for hashing. The caller must
    /// not change <paramref name="data"/> afterwards (the hash may still be reading it when this returns).</summary>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var write = RandomAccess.WriteAsync(Handle, data, Offset, ct);
        // Chunks are hashed in order: the previous chunk's hash finishes before this one starts.
        await _hashing.ConfigureAwait(false);
        _hashing = Task.Run(() => _sha.AppendData(data.Span), CancellationToken.None);
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The hash took bytes the file did not: hash the file's prefix again so that a resume stays consistent.
            await _hashing.ConfigureAwait(false);
            _sha.GetHashAndReset();
            HashExistingPrefix();
            throw;
        }
        Offset += data.Length;
    }

    public string FinishHash()
    {
        _hashing.GetAwaiter().GetResult();
        return Convert.ToHexStringLower(_sha.GetHashAndReset());
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
        // A chunk still being hashed reads the hash state; let it finish (at most one chunk) before disposing it.
        _hashing.Wait();
        Handle.Dispose();
        _sha.Dispose();
    }
}
