using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Swarm.Node.Blobs;

/// <summary>Content-addressed blobs on disk: <c>objects/ab/abcd...</c> (a two-hex-digit fan-out keeps directories
/// small). A blob appears only complete and verified: it is written to a temporary file, flushed to disk and then
/// renamed into place, so a crash leaves either nothing or the whole blob. Downloads in progress live in
/// <c>partial/</c> so that they can resume.</summary>
public sealed class BlobStore
{
    private const int CopyBufferBytes = 1024 * 1024;

    public BlobStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(Root, "objects"));
        Directory.CreateDirectory(Path.Combine(Root, "partial"));
        Directory.CreateDirectory(Path.Combine(Root, "tmp"));
    }

    public string Root { get; }

    public string PathOf(string hash)
    {
        BlobHash.ThrowIfInvalid(hash);
        return Path.Combine(Root, "objects", hash[..2], hash);
    }

    public string PartialPathOf(string hash)
    {
        BlobHash.ThrowIfInvalid(hash);
        return Path.Combine(Root, "partial", hash + ".part");
    }

    public bool Contains(string hash) => File.Exists(PathOf(hash));

    public long? LengthOf(string hash)
    {
        var info = new FileInfo(PathOf(hash));
        return info.Exists ? info.Length : null;
    }

    /// <summary>Streams <paramref name="source"/> into the store and returns its hash. Memory use is one buffer.</summary>
    public async Task<string> PutAsync(Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var temp = Path.Combine(Root, "tmp", Guid.NewGuid().ToString("N"));
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                var buffer = new byte[CopyBufferBytes];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                file.Flush(flushToDisk: true);
            }
            var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            Publish(temp, hash);
            return hash;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Opens a stored blob for sequential reading, or null if it is not here.</summary>
    public FileStream? OpenRead(string hash)
    {
        var path = PathOf(hash);
        return File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan)
            : null;
    }

    /// <summary>Copies a blob to <paramref name="destination"/>, hashing as it reads. A blob whose content no longer
    /// matches its address (disk corruption, tampering) is deleted and reported; the bytes copied so far must then
    /// be discarded by the caller.</summary>
    public async Task<BlobCheck> CopyVerifiedAsync(string hash, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var source = OpenRead(hash))
        {
            if (source is null)
            {
                return BlobCheck.Missing(hash);
            }
            var buffer = new byte[CopyBufferBytes];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        return Judge(hash, sha);
    }

    /// <summary>Re-reads a stored blob and checks it against its address; a corrupt blob is deleted.</summary>
    public Task<BlobCheck> VerifyAsync(string hash, CancellationToken cancellationToken = default) =>
        CopyVerifiedAsync(hash, Stream.Null, cancellationToken);

    /// <summary>Deletes a blob found corrupt, so that it is fetched again rather than served.</summary>
    public void Quarantine(string hash) => File.Delete(PathOf(hash));

    /// <summary>Deletes a blob whose bytes were moved elsewhere (a task's own blob directory).</summary>
    public void Remove(string hash) => File.Delete(PathOf(hash));

    /// <summary>Moves a finished, already verified download into place (flushes it to disk first).</summary>
    internal void PublishPartial(string hash, SafeFileHandle partial)
    {
        RandomAccess.FlushToDisk(partial);
        partial.Dispose();
        Publish(PartialPathOf(hash), hash);
    }

    private void Publish(string file, string hash)
    {
        var target = PathOf(hash);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target))
        {
            File.Delete(file);
            return;
        }
        File.Move(file, target, overwrite: true);
    }

    private BlobCheck Judge(string hash, IncrementalHash sha)
    {
        var actual = Convert.ToHexStringLower(sha.GetHashAndReset());
        if (actual == hash)
        {
            return BlobCheck.Intact(hash);
        }
        Quarantine(hash);
        return BlobCheck.Corrupt(hash, actual);
    }
}
