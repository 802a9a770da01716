using Swarm.Learning.Updates;
using Swarm.Actors.Tasks;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>A task's blob folder under <c>tasks.disk-per-task-max</c>: a blob that would bring the folder past the
/// limit is not written, and the write throws <see cref="TaskDiskLimitException"/>, which stops the task's peer on
/// this node (its manager shows the task Failed with the message). The count starts from the bytes already in the
/// folder, so a restarted node keeps counting what the task had stored.</summary>
public sealed class QuotaTaskBlobs : ITaskBlobs
{
    private readonly ITaskBlobs _inner;
    private readonly string _taskId;
    private readonly long _bytesMax;
    private long _bytes;

    /// <param name="inner">The folder's blobs.</param>
    /// <param name="root">The folder, whose files count towards the limit.</param>
    /// <param name="taskId">The task, as the refusal names it.</param>
    /// <param name="bytesMax">The limit in bytes.</param>
    public QuotaTaskBlobs(ITaskBlobs inner, string root, string taskId, long bytesMax)
    {
        _inner = inner;
        _taskId = taskId;
        _bytesMax = bytesMax;
        _bytes = Directory.Exists(root)
            ? new DirectoryInfo(root).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
            : 0;
    }

    /// <summary>Bytes the task's folder holds now (as counted).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public bool Contains(BlobKind kind, string hash) => _inner.Contains(kind, hash);

    public byte[]? Get(BlobKind kind, string hash) => _inner.Get(kind, hash);

    public byte[]? Rent(BlobKind kind, string hash, VectorPool<byte> pool) => _inner.Rent(kind, hash, pool);

    public void Put(BlobKind kind, string hash, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (_inner.Contains(kind, hash))
        {
            return;
        }
        var after = Interlocked.Add(ref _bytes, bytes.Length);
        if (after > _bytesMax)
        {
            Interlocked.Add(ref _bytes, -bytes.Length);
            throw new TaskDiskLimitException(
                $"task '{_taskId}' would keep {after} bytes of blobs on this node, over its limit tasks.disk-per-task-max = {_bytesMax} bytes "
                + $"(the {kind.ToString().ToLowerInvariant()} blob {hash[..Math.Min(12, hash.Length)]}… of {bytes.Length} bytes was not stored)");
        }
        _inner.Put(kind, hash, bytes);
    }

    public bool Remove(BlobKind kind, string hash, out long bytes)
    {
        if (!_inner.Remove(kind, hash, out bytes))
        {
            return false;
        }
        Interlocked.Add(ref _bytes, -bytes);
        return true;
    }
}
