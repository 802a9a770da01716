using System.Diagnostics;
using Swarm.Actors.Tasks;
using Swarm.Node.Blobs;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>Fetches task blobs from other nodes by <see cref="BlobTransfer"/> (mutual TLS, resumable, checked against
/// the hash on the last byte). A fetched blob lands in the node's inbox store and is handed to the task, which keeps
/// it in its own directory; the inbox copy is then removed.</summary>
public sealed class TransferBlobFetcher(BlobTransfer transfer, BlobStore inbox) : ITaskBlobFetcher
{
    public async Task<BlobFetch> FetchAsync(string taskId, string site, BlobKind kind, string hash, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (!BlobHash.IsValid(hash))
        {
            return BlobFetch.Failed(site, kind, hash, TimeSpan.Zero, "not a blob hash");
        }
        var check = await transfer.FetchAsync(site, hash, cancellationToken).ConfigureAwait(false);
        if (!check.Succeeded)
        {
            return BlobFetch.Failed(site, kind, hash, Stopwatch.GetElapsedTime(started), check.Error!);
        }
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(inbox.PathOf(hash), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            return BlobFetch.Failed(site, kind, hash, Stopwatch.GetElapsedTime(started), $"cannot read the fetched blob: {e.Message}");
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (RoundAggregate.HashOf(bytes) != hash)
        {
            inbox.Quarantine(hash);
            return BlobFetch.Failed(site, kind, hash, elapsed, "the fetched blob changed on disk before it was read; deleted");
        }
        inbox.Remove(hash);
        return new BlobFetch(site, kind, hash, bytes, elapsed, null);
    }
}
