using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Swarm.Node.Blobs;

/// <summary>One blob being received: the partial file, how much of it is written, and the running hash. The
/// partial file survives broken connections and restarts; only a finished, verified file becomes a blob.</summary>
internal sealed class Download : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

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

    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        await RandomAccess.WriteAsync(Handle, data, Offset, ct).ConfigureAwait(false);
        _sha.AppendData(data.Span);
        Offset += data.Length;
    }

    public string FinishHash() => Convert.ToHexStringLower(_sha.GetHashAndReset());

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
        Handle.Dispose();
        _sha.Dispose();
    }
}
