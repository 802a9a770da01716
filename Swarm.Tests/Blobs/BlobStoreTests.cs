using System.Security.Cryptography;
using Swarm.Node.Blobs;
using Swarm.Node.Cli.Bench;

namespace Swarm.Tests.Blobs;

public sealed class BlobStoreTests
{
    [Fact]
    public async Task Put_stores_the_blob_under_its_sha256_with_a_fan_out_directory()
    {
        using var dir = new TempDirectory();
        var store = new BlobStore(dir.Path);
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        var hash = await store.PutAsync(new MemoryStream(content));

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), hash);
        Assert.Equal(Path.Combine(dir.Path, "objects", hash[..2], hash), store.PathOf(hash));
        Assert.Equal(content, await File.ReadAllBytesAsync(store.PathOf(hash)));
        Assert.Empty(Directory.GetFiles(dir.Sub("tmp")));
    }

    [Fact]
    public async Task Putting_the_same_content_twice_keeps_one_blob()
    {
        using var dir = new TempDirectory();
        var store = new BlobStore(dir.Path);
        var first = await store.PutAsync(new MemoryStream([1, 2, 3]));
        var second = await store.PutAsync(new MemoryStream([1, 2, 3]));
        Assert.Equal(first, second);
        Assert.Single(Directory.GetFiles(dir.Sub("objects"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_corrupted_blob_is_detected_on_read_and_deleted()
    {
        using var dir = new TempDirectory();
        var store = new BlobStore(dir.Path);
        var hash = await store.PutAsync(new SeededBytes(7, 100_000));
        await using (var file = new FileStream(store.PathOf(hash), FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 5_000;
            file.WriteByte(0x5a);
        }

        var check = await store.CopyVerifiedAsync(hash, Stream.Null);

        Assert.False(check.Succeeded);
        Assert.Contains("corrupt", check.Error, StringComparison.Ordinal);
        Assert.False(store.Contains(hash));
    }

    [Fact]
    public async Task An_intact_blob_verifies_and_a_missing_one_is_reported()
    {
        using var dir = new TempDirectory();
        var store = new BlobStore(dir.Path);
        var hash = await store.PutAsync(new SeededBytes(8, 10_000));
        Assert.True((await store.VerifyAsync(hash)).Succeeded);
        var missing = new string('0', 64);
        var check = await store.VerifyAsync(missing);
        Assert.Contains("not in the store", check.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("ABCDEF0000000000000000000000000000000000000000000000000000000000")]
    [InlineData("abc")]
    public void A_hash_that_is_not_64_lowercase_hex_digits_never_becomes_a_path(string hash)
    {
        using var dir = new TempDirectory();
        var store = new BlobStore(dir.Path);
        Assert.Throws<ArgumentException>(() => store.PathOf(hash));
    }
}
