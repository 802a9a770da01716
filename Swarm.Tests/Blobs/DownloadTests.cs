using System.Security.Cryptography;
using Swarm.Node.Blobs;

namespace Swarm.Tests.Blobs;

public sealed class DownloadTests
{
    private static byte[] Content(int length)
    {
        var bytes = new byte[length];
        new Random(11).NextBytes(bytes);
        return bytes;
    }

    private static string Sha(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static Download Open(TempDirectory dir, byte[] content) =>
        new("a", Sha(content), dir.Sub("blob.part"), 0);

    [Fact]
    public async Task Chunks_written_in_the_background_leave_the_whole_file_and_its_hash()
    {
        using var dir = new TempDirectory();
        var content = Content(1_000_000);
        string hash;
        using (var download = Open(dir, content))
        {
            for (var offset = 0; offset < content.Length; offset += 65_536)
            {
                var chunk = content.AsMemory(offset, Math.Min(65_536, content.Length - offset));
                await download.AppendAsync(chunk, null, CancellationToken.None);
                Assert.Equal(offset + chunk.Length, download.Offset);
            }
            hash = await download.FinishAsync();
        }

        Assert.Equal(Sha(content), hash);
        Assert.Equal(content, await File.ReadAllBytesAsync(dir.Sub("blob.part")));
    }

    [Fact]
    public async Task A_download_reopened_on_its_partial_file_continues_the_hash_where_the_file_ends()
    {
        using var dir = new TempDirectory();
        var content = Content(300_000);
        using (var first = Open(dir, content))
        {
            await first.AppendAsync(content.AsMemory(0, 120_000), null, CancellationToken.None);
            await first.AppendAsync(content.AsMemory(120_000, 80_000), null, CancellationToken.None);
            await first.FinishAsync();
        }

        using var second = Open(dir, content);
        Assert.Equal(200_000, second.Offset);
        await second.AppendAsync(content.AsMemory(200_000), null, CancellationToken.None);

        Assert.Equal(Sha(content), await second.FinishAsync());
    }

    [Fact]
    public async Task A_failed_write_puts_the_download_back_to_what_is_on_disk_so_the_chunk_can_come_again()
    {
        using var dir = new TempDirectory();
        var content = Content(200_000);
        using var download = Open(dir, content);
        await download.AppendAsync(content.AsMemory(0, 100_000), null, CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        // The write of the second chunk fails (cancelled) after its bytes went into the running hash.
        await download.AppendAsync(content.AsMemory(100_000), null, cancelled.Token);
        Assert.Equal(200_000, download.Offset);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await download.FinishAsync());

        Assert.Equal(100_000, download.Offset);
        Assert.Equal(100_000, new FileInfo(dir.Sub("blob.part")).Length);
        await download.AppendAsync(content.AsMemory(100_000), null, CancellationToken.None);
        Assert.Equal(Sha(content), await download.FinishAsync());
    }
}
