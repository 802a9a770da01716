using Swarm.Tasks;

namespace Swarm.Actors.Tasks;

/// <summary>Moves a blob of a task from another site to this one by its hash: the blob transfer between nodes
/// (mutual TLS, resumable, checked against the hash), or a peer's store in a one-process simulation. Actor messages
/// between task peers carry hashes only; every update and model travels here.</summary>
public interface ITaskBlobFetcher
{
    /// <summary>Fetches <paramref name="hash"/> of task <paramref name="taskId"/> from <paramref name="site"/>. Never
    /// throws for a peer's failure: the result says what went wrong.</summary>
    Task<BlobFetch> FetchAsync(string taskId, string site, BlobKind kind, string hash, CancellationToken cancellationToken);
}

/// <summary>The outcome of one fetch: <see cref="Bytes"/> whose SHA-256 is <see cref="Hash"/>, or the
/// <see cref="Error"/>; <see cref="Elapsed"/> from the request to the verified last byte.</summary>
public sealed record BlobFetch(string From, BlobKind Kind, string Hash, byte[]? Bytes, TimeSpan Elapsed, string? Error)
{
    public static BlobFetch Failed(string from, BlobKind kind, string hash, TimeSpan elapsed, string error) =>
        new(from, kind, hash, null, elapsed, error);
}

/// <summary>Fetches from the other sites' stores in this process (simulations and tests): the bytes are read from
/// the holder's <see cref="ITaskBlobs"/> and checked against their hash like a transfer's. Given the fetching site's
/// own store (<paramref name="destination"/>), a blob between two directory stores is linked into it rather than
/// read there and written again (<see cref="DirectoryTaskBlobs.TryLinkFrom"/>): the site then stores it at no cost,
/// and bytes that fail the hash are unlinked again.</summary>
public sealed class StoreBlobFetcher(Func<string, ITaskBlobs?> storeOf, ITaskBlobs? destination = null) : ITaskBlobFetcher
{
    public Task<BlobFetch> FetchAsync(string taskId, string site, BlobKind kind, string hash, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var source = storeOf(site);
        var linked = source is DirectoryTaskBlobs from && destination is DirectoryTaskBlobs to && !to.Contains(kind, hash)
            && to.TryLinkFrom(from, kind, hash);
        var bytes = linked ? destination!.Get(kind, hash) : source?.Get(kind, hash);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (bytes is null)
        {
            return Task.FromResult(BlobFetch.Failed(site, kind, hash, elapsed, $"'{site}' does not hold {kind} {hash}"));
        }
        if (RoundAggregate.HashOf(bytes) != hash)
        {
            if (linked)
            {
                destination!.Remove(kind, hash, out _);
            }
            return Task.FromResult(BlobFetch.Failed(site, kind, hash, elapsed, $"'{site}' holds other bytes under {hash}"));
        }
        return Task.FromResult(new BlobFetch(site, kind, hash, bytes, elapsed, null));
    }
}
