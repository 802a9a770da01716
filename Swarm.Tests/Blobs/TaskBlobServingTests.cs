using System.Security.Cryptography;
using Swarm.Actors.Tasks;
using Swarm.Node.Blobs;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using Swarm.Tests.Networking;

namespace Swarm.Tests.Blobs;

/// <summary>Task blobs between nodes: fetched by hash over the pinned mutual-TLS transport, served only to the
/// task's participants.</summary>
public sealed class TaskBlobServingTests
{
    private sealed class Node(string id, DirectoryTaskBlobs blobs, BlobStore inbox, BlobTransfer transfer, TaskBlobSource served)
    {
        public string Id => id;

        public DirectoryTaskBlobs Blobs => blobs;

        public TaskBlobSource Served => served;

        public TransferBlobFetcher Fetcher { get; } = new(transfer, inbox);

        public BlobStore Inbox => inbox;

        public BlobTransfer Transfer => transfer;
    }

    private static Node Wire(LoopbackNodes nodes, TempDirectory dir, string id)
    {
        var served = new TaskBlobSource();
        var inbox = new BlobStore(dir.Sub(id + "-inbox"));
        var transfer = new BlobTransfer(inbox, new BlobTransferOptions { StallTimeout = TimeSpan.FromSeconds(5), RequestsMax = 2 }, nodes.Log,
            source: served);
        transfer.RouteOn(nodes.Routers[id]);
        transfer.Attach(nodes[id]);
        return new Node(id, new DirectoryTaskBlobs(dir.Sub(id + "-task")), inbox, transfer, served);
    }

    [Fact]
    public async Task A_participant_fetches_an_update_by_hash_and_a_member_outside_the_task_is_refused_it()
    {
        using var dir = new TempDirectory();
        await using var nodes = LoopbackNodes.Start("a", "b", "c");
        var (a, b, c) = (Wire(nodes, dir, "a"), Wire(nodes, dir, "b"), Wire(nodes, dir, "c"));
        try
        {
            // Task t runs on a and b; c is a consortium member (authenticated, pinned) but not in the task.
            a.Served.Register("t", ["a", "b"], a.Blobs);
            var update = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
            var hash = RoundAggregate.HashOf(update);
            a.Blobs.Put(BlobKind.Update, hash, update);

            var fetched = await b.Fetcher.FetchAsync("t", "a", BlobKind.Update, hash, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Null(fetched.Error);
            Assert.Equal(update, fetched.Bytes);
            Assert.Equal("a", fetched.From);
            Assert.False(b.Inbox.Contains(hash)); // handed to the task, not kept twice

            var curious = await c.Fetcher.FetchAsync("t", "a", BlobKind.Update, hash, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Null(curious.Bytes);
            Assert.Contains("not in the store", curious.Error, StringComparison.Ordinal);
            Assert.False(c.Inbox.Contains(hash));
        }
        finally
        {
            await a.Transfer.DisposeAsync();
            await b.Transfer.DisposeAsync();
            await c.Transfer.DisposeAsync();
        }
    }

    [Fact]
    public void The_source_serves_a_task_s_blobs_to_its_participants_only_and_nothing_else_of_the_node()
    {
        using var dir = new TempDirectory();
        var served = new TaskBlobSource();
        var t1 = new DirectoryTaskBlobs(dir.Sub("t1"));
        var t2 = new DirectoryTaskBlobs(dir.Sub("t2"));
        served.Register("t1", ["a", "b"], t1);
        served.Register("t2", ["a", "c"], t2);
        var model = new byte[] { 1, 2, 3, 4 };
        var modelHash = RoundAggregate.HashOf(model);
        t1.Put(BlobKind.Model, modelHash, model);
        var update = new byte[] { 9, 9 };
        var updateHash = RoundAggregate.HashOf(update);
        t2.Put(BlobKind.Update, updateHash, update);

        Assert.Equal(t1.FileOf(modelHash), served.PathFor("b", modelHash));
        Assert.Null(served.PathFor("c", modelHash));
        Assert.Equal(t2.FileOf(updateHash), served.PathFor("c", updateHash));
        Assert.Null(served.PathFor("b", updateHash));
        Assert.Null(served.PathFor("b", new string('0', 64)));
        Assert.Null(served.PathFor("b", "../../etc/passwd"));
    }

    [Fact]
    public void An_exported_proof_and_model_are_served_to_the_importer_they_were_offered_to_and_to_no_other_node()
    {
        using var dir = new TempDirectory();
        var served = new TaskBlobSource();
        var source = new DirectoryTaskBlobs(dir.Sub("xa"));
        served.Register("xa", ["a", "b"], source);
        var model = new byte[64];
        model[3] = 7;
        var proof = new byte[] { 1, 2, 3 };
        var (modelHash, proofHash) = (RoundAggregate.HashOf(model), RoundAggregate.HashOf(proof));
        source.Put(BlobKind.Model, modelHash, model);
        source.Put(BlobKind.Proof, proofHash, proof);
        Assert.Null(served.PathFor("e", modelHash)); // e is not in task xa

        served.AllowExport("e", source, [proofHash, modelHash]);

        Assert.Equal(proof, File.ReadAllBytes(served.PathFor("e", proofHash)!));
        Assert.Equal(model, File.ReadAllBytes(served.PathFor("e", modelHash)!));
        Assert.Null(served.PathFor("f", proofHash)); // another node that knows the hash gets nothing
        Assert.Equal(source.FileOf(modelHash), served.PathFor("a", modelHash)); // the participants as before
    }
}
