using Swarm.Node.Blobs;
using Swarm.Node.Cli.Bench;
using Swarm.Node.Networking.Wire;
using Swarm.Tests.Networking;

namespace Swarm.Tests.Blobs;

public sealed class BlobTransferTests
{
    private const long BigBlobBytes = 500L * 1024 * 1024;

    private sealed class Pair(LoopbackNodes nodes, BlobStore a, BlobStore b, BlobTransfer ta, BlobTransfer tb) : IAsyncDisposable
    {
        public LoopbackNodes Nodes => nodes;

        public BlobStore StoreA => a;

        public BlobStore StoreB => b;

        public BlobTransfer TransferB => tb;

        public async ValueTask DisposeAsync()
        {
            await ta.DisposeAsync();
            await tb.DisposeAsync();
            await nodes.DisposeAsync();
        }
    }

    private static Pair Start(TempDirectory dir)
    {
        var options = LoopbackNodes.FastOptions with { PeerQueueBytesMax = 8L * 1024 * 1024 };
        var nodes = LoopbackNodes.Start(options, "a", "b");
        var storeA = new BlobStore(dir.Sub("a"));
        var storeB = new BlobStore(dir.Sub("b"));
        var transferA = Wire(nodes, "a", storeA);
        var transferB = Wire(nodes, "b", storeB);
        return new Pair(nodes, storeA, storeB, transferA, transferB);
    }

    private static BlobTransfer Wire(LoopbackNodes nodes, string id, BlobStore store)
    {
        var transfer = new BlobTransfer(store, new BlobTransferOptions { StallTimeout = TimeSpan.FromSeconds(5) }, nodes.Log);
        transfer.RouteOn(nodes.Routers[id]);
        transfer.Attach(nodes[id]);
        return transfer;
    }

    private static async Task<BlobCheck> Within(Task<BlobCheck> fetch, string phase, int seconds)
    {
        try
        {
            return await fetch.WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{phase}: fetch did not finish within {seconds} s");
        }
    }

    [Fact]
    public async Task A_small_blob_crosses_between_two_transports_intact()
    {
        using var dir = new TempDirectory();
        await using var pair = Start(dir);
        var hash = await pair.StoreA.PutAsync(new SeededBytes(1, 3_500_000));

        var result = await Within(pair.TransferB.FetchAsync("a", hash), "small blob a -> b", 30);

        Assert.True(result.Succeeded, result.Error);
        Assert.True((await pair.StoreB.VerifyAsync(hash)).Succeeded);
        Assert.Empty(Directory.GetFiles(dir.Sub("b/partial")));
    }

    [Fact]
    public async Task A_500_MB_blob_crosses_intact_with_the_connection_cut_in_the_middle()
    {
        using var dir = new TempDirectory();
        await using var pair = Start(dir);
        var hash = await pair.StoreA.PutAsync(new SeededBytes(500, BigBlobBytes));
        var cutAt = -1L;
        pair.TransferB.Progress += (_, received) =>
        {
            if (received >= BigBlobBytes / 2 && Interlocked.CompareExchange(ref cutAt, received, -1) == -1)
            {
                pair.Nodes["b"].CutLinks("a");
            }
        };

        var result = await Within(pair.TransferB.FetchAsync("a", hash), "500 MB blob a -> b with a cut", 240);

        Assert.True(result.Succeeded, result.Error);
        Assert.InRange(cutAt, BigBlobBytes / 2, BigBlobBytes - 1);
        await pair.Nodes.Log.WaitForAsync(l => l.Contains($"resuming blob {hash} from a", StringComparison.Ordinal), "resume logged");
        Assert.Equal(BigBlobBytes, pair.StoreB.LengthOf(hash));
        Assert.True((await pair.StoreB.VerifyAsync(hash)).Succeeded);
    }

    [Fact]
    public async Task A_blob_whose_content_does_not_match_its_hash_is_deleted_on_arrival()
    {
        using var dir = new TempDirectory();
        await using var pair = Start(dir);
        var hash = await pair.StoreA.PutAsync(new SeededBytes(2, 2_000_000));
        await using (var file = new FileStream(pair.StoreA.PathOf(hash), FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 1_234_567;
            file.WriteByte(0);
        }

        var result = await Within(pair.TransferB.FetchAsync("a", hash), "corrupt blob a -> b", 30);

        Assert.False(result.Succeeded);
        Assert.Contains("hashes to", result.Error, StringComparison.Ordinal);
        Assert.False(pair.StoreB.Contains(hash));
        Assert.False(File.Exists(pair.StoreB.PartialPathOf(hash)));
    }

    [Fact]
    public async Task Asking_for_a_blob_the_peer_does_not_have_fails_with_its_reason()
    {
        using var dir = new TempDirectory();
        await using var pair = Start(dir);
        var result = await Within(pair.TransferB.FetchAsync("a", new string('e', 64)), "unknown blob", 30);
        Assert.False(result.Succeeded);
        Assert.Contains("not in the store", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partial_file_left_by_an_earlier_run_is_resumed_not_restarted()
    {
        using var dir = new TempDirectory();
        await using var pair = Start(dir);
        var hash = await pair.StoreA.PutAsync(new SeededBytes(3, 5_000_000));
        await using (var source = pair.StoreA.OpenRead(hash)!)
        await using (var partial = File.Create(pair.StoreB.PartialPathOf(hash)))
        {
            var prefix = new byte[3_000_000];
            await source.ReadExactlyAsync(prefix);
            await partial.WriteAsync(prefix);
        }
        var firstChunkOffset = -1L;
        pair.TransferB.Progress += (_, received) => Interlocked.CompareExchange(ref firstChunkOffset, received, -1);

        var result = await Within(pair.TransferB.FetchAsync("a", hash), "resume from partial file", 30);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(3_000_000 + (1024 * 1024), firstChunkOffset);
        Assert.True((await pair.StoreB.VerifyAsync(hash)).Succeeded);
    }

    [Fact]
    public async Task A_download_without_progress_for_the_stall_timeout_asks_again_from_its_offset()
    {
        using var dir = new TempDirectory();
        await using var nodes = LoopbackNodes.Start("a", "b");
        var requests = new RecordingHandler();
        nodes.Routers["a"].Route(Envelope.PayloadOneofCase.BlobRequest, requests);
        var time = new ManualTimeProvider();
        await using var transfer = new BlobTransfer(new BlobStore(dir.Sub("b")), new BlobTransferOptions { StallTimeout = TimeSpan.FromSeconds(8) }, nodes.Log, time);
        transfer.RouteOn(nodes.Routers["b"]);
        transfer.Attach(nodes["b"]);
        var hash = new string('d', 64);

        var fetch = transfer.FetchAsync("a", hash);
        var first = await requests.NextAsync("a receiving the first request");
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(requests.TryNext(out _));
        time.Advance(TimeSpan.FromSeconds(6));
        var second = await requests.NextAsync("a receiving the request after the stall");

        Assert.Equal(hash, first.Envelope.BlobRequest.Hash);
        Assert.Equal(first.Envelope.BlobRequest, second.Envelope.BlobRequest);
        await nodes.Log.WaitForAsync(l => l.Contains($"resuming blob {hash} from a at byte 0: no progress for 8 s", StringComparison.Ordinal), "stall logged");
        Assert.False(fetch.IsCompleted);
    }
}
