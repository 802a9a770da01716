using Swarm.Learning.Updates;
using Swarm.Tasks;
using System.Collections.Concurrent;

namespace Swarm.Actors.Tasks;

/// <summary>A site's blobs for one task: its own and its peers' updates, and the global models of finalized rounds
/// (kept so that a restarted peer can fetch the latest one). Callers check hashes before <see cref="Put"/>.</summary>
public interface ITaskBlobs
{
    bool Contains(BlobKind kind, string hash);

    byte[]? Get(BlobKind kind, string hash);

    /// <summary>A blob's bytes in an array of <paramref name="pool"/>, which the caller gives back once done with
    /// them (every round's recomputation reads every included update: reused arrays spare it fresh memory); null
    /// when the store lacks the blob.</summary>
    byte[]? Rent(BlobKind kind, string hash, VectorPool<byte> pool)
    {
        if (Get(kind, hash) is not { } bytes)
        {
            return null;
        }
        var rented = pool.Rent(bytes.Length);
        bytes.CopyTo(rented, 0);
        return rented;
    }

    void Put(BlobKind kind, string hash, byte[] bytes);

    /// <summary>Removes a blob; false when there was none. <paramref name="bytes"/>: its size.</summary>
    bool Remove(BlobKind kind, string hash, out long bytes);
}

/// <summary>Blobs as files <c>&lt;root&gt;/&lt;kind&gt;/&lt;hash&gt;</c>, written to a temporary name and renamed, so a
/// crash never leaves a half blob under a hash.</summary>
public sealed class DirectoryTaskBlobs : ITaskBlobs
{
    private readonly string _root;

    public DirectoryTaskBlobs(string root)
    {
        _root = root;
        Directory.CreateDirectory(Path.Combine(root, "update"));
        Directory.CreateDirectory(Path.Combine(root, "model"));
        Directory.CreateDirectory(Path.Combine(root, "proof"));
    }

    public bool Contains(BlobKind kind, string hash) => IsHash(hash) && File.Exists(PathOf(kind, hash));

    public byte[]? Get(BlobKind kind, string hash) => Contains(kind, hash) ? File.ReadAllBytes(PathOf(kind, hash)) : null;

    public byte[]? Rent(BlobKind kind, string hash, VectorPool<byte> pool)
    {
        if (!Contains(kind, hash))
        {
            return null;
        }
        using var file = new FileStream(PathOf(kind, hash), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var length = file.Length;
        if (length > Array.MaxLength)
        {
            throw new IOException($"blob {hash} is {length} bytes, more than one array holds");
        }
        var bytes = pool.Rent((int)length);
        file.ReadExactly(bytes);
        return bytes;
    }

    public void Put(BlobKind kind, string hash, byte[] bytes)
    {
        if (!IsHash(hash))
        {
            throw new ArgumentException($"'{hash}' is not a SHA-256 hex digest", nameof(hash));
        }
        var path = PathOf(kind, hash);
        if (File.Exists(path))
        {
            return;
        }
        var temporary = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    public bool Remove(BlobKind kind, string hash, out long bytes)
    {
        bytes = 0;
        if (!Contains(kind, hash))
        {
            return false;
        }
        var path = PathOf(kind, hash);
        bytes = new FileInfo(path).Length;
        File.Delete(path);
        return true;
    }

    /// <summary>
    /// Gives this store <paramref name="source"/>'s blob as a second name of the same file (a hard link), without
    /// copying its bytes: for stores of one process on one file system (a simulation's sites). Blobs are never
    /// changed in place (a put writes a new file and renames it; a removal unlinks one name), so the two stores stay
    /// independent. False when the source lacks the blob or the file system refuses the link (another device, no
    /// link support): the caller then copies. The caller still checks the bytes against the hash.
    /// </summary>
    public bool TryLinkFrom(DirectoryTaskBlobs source, BlobKind kind, string hash)
    {
        if (!IsHash(hash) || !source.Contains(kind, hash))
        {
            return false;
        }
        var path = PathOf(kind, hash);
        if (File.Exists(path))
        {
            return true;
        }
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        var temporary = path + "." + Environment.ProcessId + "." + Environment.CurrentManagedThreadId + ".link";
        if (HardLink.Create(source.PathOf(kind, hash), temporary) != 0)
        {
            return false;
        }
        File.Move(temporary, path, overwrite: true);
        return true;
    }

    /// <summary>The file holding <paramref name="hash"/> (an update or a model), or null when there is none.</summary>
    public string? FileOf(string hash) =>
        !IsHash(hash) ? null
        : File.Exists(PathOf(BlobKind.Update, hash)) ? PathOf(BlobKind.Update, hash)
        : File.Exists(PathOf(BlobKind.Model, hash)) ? PathOf(BlobKind.Model, hash)
        : File.Exists(PathOf(BlobKind.Proof, hash)) ? PathOf(BlobKind.Proof, hash)
        : null;

    private string PathOf(BlobKind kind, string hash) => Path.Combine(_root, kind switch { BlobKind.Model => "model", BlobKind.Proof => "proof", _ => "update" }, hash);

    private static bool IsHash(string hash) => hash.Length == 64 && hash.All(char.IsAsciiHexDigitLower);
}

/// <summary>Blobs in memory (tests).</summary>
public sealed class MemoryTaskBlobs : ITaskBlobs
{
    private readonly ConcurrentDictionary<(BlobKind, string), byte[]> _blobs = new();

    public bool Contains(BlobKind kind, string hash) => _blobs.ContainsKey((kind, hash));

    public byte[]? Get(BlobKind kind, string hash) => _blobs.TryGetValue((kind, hash), out var bytes) ? bytes : null;

    public void Put(BlobKind kind, string hash, byte[] bytes) => _blobs.TryAdd((kind, hash), bytes);

    public bool Remove(BlobKind kind, string hash, out long bytes)
    {
        var removed = _blobs.TryRemove((kind, hash), out var blob);
        bytes = blob?.Length ?? 0;
        return removed;
    }
}

/// <summary>link(2): a second name for an existing file.</summary>
internal static partial class HardLink
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "link", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    internal static partial int Create(string existing, string added);
}
