using System.Diagnostics;
using System.Globalization;
using Swarm.Actors.Tasks;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>The one-process fetch between sites' folders: a blob is linked into the fetching site's store instead of
/// copied, the two stores stay independent, and bytes that fail their hash are not kept under it.</summary>
public sealed class StoreBlobFetcherTests
{
    [Fact]
    public async Task A_fetched_blob_is_a_second_name_of_the_holder_s_file_and_outlives_the_holder_s_removal()
    {
        using var dir = new TempDirectory();
        var holder = new DirectoryTaskBlobs(dir.Sub("a"));
        var here = new DirectoryTaskBlobs(dir.Sub("b"));
        var bytes = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
        var hash = RoundAggregate.HashOf(bytes);
        holder.Put(BlobKind.Update, hash, bytes);
        var fetcher = new StoreBlobFetcher(site => site == "site-a" ? holder : null, here);

        var fetched = await fetcher.FetchAsync("t", "site-a", BlobKind.Update, hash, CancellationToken.None);

        Assert.Null(fetched.Error);
        Assert.Equal(bytes, fetched.Bytes);
        Assert.True(here.Contains(BlobKind.Update, hash));
        Assert.Equal(2, LinksOf(here.FileOf(hash)!));
        holder.Remove(BlobKind.Update, hash, out _);
        Assert.Equal(bytes, here.Get(BlobKind.Update, hash));
    }

    [Fact]
    public async Task Bytes_that_fail_their_hash_are_refused_and_not_kept_under_it()
    {
        using var dir = new TempDirectory();
        var holder = new DirectoryTaskBlobs(dir.Sub("a"));
        var here = new DirectoryTaskBlobs(dir.Sub("b"));
        var claimed = RoundAggregate.HashOf([1, 2, 3]);
        holder.Put(BlobKind.Update, claimed, [6, 6, 6]); // a site holding other bytes under the hash
        var fetcher = new StoreBlobFetcher(site => holder, here);

        var fetched = await fetcher.FetchAsync("t", "site-a", BlobKind.Update, claimed, CancellationToken.None);

        Assert.Null(fetched.Bytes);
        Assert.Contains("holds other bytes", fetched.Error, StringComparison.Ordinal);
        Assert.False(here.Contains(BlobKind.Update, claimed));
    }

    /// <summary>The file's hard-link count (GNU stat).</summary>
    private static int LinksOf(string path)
    {
        var start = new ProcessStartInfo("stat", ["-c", "%h", path]) { RedirectStandardOutput = true };
        using var stat = Process.Start(start)!;
        var output = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return int.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
