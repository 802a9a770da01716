using Swarm.Actors.Tasks;
using Swarm.Node.Tasks;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary><c>tasks.disk-per-task-max</c>: a task's blob folder never grows past its limit; the blob that would pass it
/// is not written and the write fails with the task, the limit and the blob named; what the folder already held
/// (a restarted node) counts.</summary>
public sealed class QuotaTaskBlobsTests
{
    private static string Hash(char c) => new(c, 64);

    [Fact]
    public void A_blob_that_would_pass_the_limit_is_not_written_and_the_refusal_names_the_limit()
    {
        using var dir = new TempDirectory();
        var root = dir.Sub("t1");
        var blobs = new QuotaTaskBlobs(new DirectoryTaskBlobs(root), root, "t1", bytesMax: 1000);

        blobs.Put(BlobKind.Update, Hash('a'), new byte[600]);
        blobs.Put(BlobKind.Update, Hash('a'), new byte[600]); // already there: costs nothing
        var refused = Assert.Throws<TaskDiskLimitException>(() => blobs.Put(BlobKind.Model, Hash('b'), new byte[500]));

        Assert.Contains("task 't1' would keep 1100 bytes of blobs on this node, over its limit tasks.disk-per-task-max = 1000 bytes", refused.Message, StringComparison.Ordinal);
        Assert.False(blobs.Contains(BlobKind.Model, Hash('b')));
        Assert.Equal(600, blobs.Bytes);
        blobs.Put(BlobKind.Model, Hash('c'), new byte[400]);
        Assert.Equal(1000, blobs.Bytes);

        // A node restarted over the same folder counts what is there.
        var again = new QuotaTaskBlobs(new DirectoryTaskBlobs(root), root, "t1", bytesMax: 1000);
        Assert.Equal(1000, again.Bytes);
        Assert.Throws<TaskDiskLimitException>(() => again.Put(BlobKind.Update, Hash('d'), new byte[1]));
    }

    [Fact]
    public void A_removed_blob_gives_its_bytes_back_and_removing_it_twice_gives_nothing()
    {
        using var dir = new TempDirectory();
        var root = dir.Sub("t1");
        var blobs = new QuotaTaskBlobs(new DirectoryTaskBlobs(root), root, "t1", bytesMax: 1000);
        blobs.Put(BlobKind.Update, Hash('a'), new byte[600]);
        blobs.Put(BlobKind.Model, Hash('b'), new byte[400]);

        Assert.True(blobs.Remove(BlobKind.Update, Hash('a'), out var freed));
        Assert.Equal(600, freed);
        Assert.False(blobs.Remove(BlobKind.Update, Hash('a'), out _));
        Assert.False(blobs.Remove(BlobKind.Update, Hash('b'), out _)); // the model, asked for as an update

        Assert.Equal(400, blobs.Bytes);
        Assert.False(blobs.Contains(BlobKind.Update, Hash('a')));
        Assert.True(blobs.Contains(BlobKind.Model, Hash('b')));
        blobs.Put(BlobKind.Update, Hash('c'), new byte[600]);
        Assert.Equal(1000, new QuotaTaskBlobs(new DirectoryTaskBlobs(root), root, "t1", bytesMax: 1000).Bytes);
    }
}
