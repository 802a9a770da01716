using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>The normal case of PBFT (Castro and Liskov §4.2), step by step, with the outputs of every step.</summary>
public sealed class NormalCaseTranscriptTests
{
    private static T Signing<T>(ReplicaOutput output) where T : PbftMessage =>
        Assert.IsType<T>(Assert.IsType<SignRequest>(output).Message);

    [Fact]
    public void Request_goes_through_pre_prepare_prepare_and_commit_to_a_committed_block()
    {
        var h = new PbftHarness();
        var request = PbftHarness.Request(1);

        // The primary of view 0 batches the request into block 1: its vote is made durable before it is signed and sent.
        var primary = h.Run(0, new SubmitRequest(request));
        Assert.Collection(primary,
            o => Assert.Equal(1, Assert.IsType<PersistState>(o).State.VotedThrough),
            o => Assert.Equal(1, Signing<PrePrepare>(o).Sequence),
            o => Assert.IsType<PrePrepare>(Assert.IsType<Broadcast>(o).Message.Message));
        var prePrepare = h.TakeOutbox(0).Single().Message;
        var block = ((PrePrepare)prePrepare.Message).Block;
        Assert.Equal([request], block.Requests);
        Assert.Equal(h.Genesis.Hash, block.PreviousHash);

        // Each backup accepts the pre-prepare and sends a prepare for the block hash, again persisting first.
        for (var backup = 1; backup <= 3; backup++)
        {
            var outputs = h.Deliver(backup, prePrepare);
            Assert.Collection(outputs,
                o => Assert.IsType<PersistState>(o),
                o => Assert.Equal(block.Hash, Signing<Prepare>(o).BlockHash),
                o => Assert.IsType<Broadcast>(o));
        }
        var prepares = Enumerable.Range(1, 3).Select(i => h.TakeOutbox(i).Single().Message).ToArray();

        // Replica 1 counts its own prepare: one matching peer prepare makes 2f = 2, so it is prepared and commits.
        Assert.Contains(h.Deliver(1, prepares[2]).OfType<SignRequest>(), s => s.Message is Commit);
        Assert.DoesNotContain(h.Deliver(1, prepares[1]).OfType<SignRequest>(), s => s.Message is Commit);

        // The primary becomes prepared with two prepares: the certificate is made durable, then it sends its commit.
        Assert.Empty(h.Deliver(0, prepares[0]).OfType<SignRequest>());
        var primaryCommit = h.Deliver(0, prepares[1]);
        var prepared = Assert.Single(Assert.IsType<PersistState>(primaryCommit[0]).State.PreparedCertificates);
        Assert.Equal(block.Hash, prepared.Proposal.Block.Hash);
        Assert.Equal(block.Hash, Signing<Commit>(primaryCommit[1]).BlockHash);

        // Replica 1 became prepared on its second peer prepare; everyone else gets the remaining prepares.
        h.Deliver(2, prepares[0]);
        h.Deliver(2, prepares[2]);
        h.Deliver(3, prepares[0]);
        h.Deliver(3, prepares[1]);
        var commits = Enumerable.Range(0, 4).Select(i => h.TakeOutbox(i).Single(m => m.Message.Message is Commit).Message).ToArray();

        // Replica 3 commits once it holds 2f + 1 = 3 matching commits (its own and two more): block persisted, then executed.
        Assert.Empty(h.Deliver(3, commits[0]).OfType<Committed>());
        var committed = h.Deliver(3, commits[1]);
        Assert.Collection(committed,
            o => Assert.Equal(block.Hash, Assert.IsType<PersistBlock>(o).Block.Block.Hash),
            o =>
            {
                var c = Assert.IsType<Committed>(o);
                Assert.Equal([request], c.Executed);
                Assert.Equal(3, c.Block.Certificate.Votes.Count);
                var verifier = new CertificateVerifier(h.Genesis.ChainId, h.Verifier);
                Assert.True(verifier.Verify(h.Genesis.InitialConfiguration, c.Block.Block, c.Block.Certificate).Ok);
            });
        Assert.Equal(1, h.Replicas[3].LastExecuted);
    }

    [Fact]
    public void Whole_cluster_commits_a_sequence_of_blocks_in_order()
    {
        var h = new PbftHarness();
        for (var i = 1; i <= 10; i++)
        {
            h.Run(i % 4, new SubmitRequest(PbftHarness.Request(i)));
            h.TickAll(1);
            h.Pump();
        }
        Assert.All(h.Replicas, r => Assert.Equal(h.Replicas[0].LastExecutedHash, r.LastExecutedHash));
        var executed = h.Ledgers[2].SelectMany(b => b.Block.Requests).Select(r => r.RequestId).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), executed.Order());
        for (var i = 1; i < h.Ledgers[2].Count; i++)
        {
            Assert.Equal(h.Ledgers[2][i - 1].Block.Hash, h.Ledgers[2][i].Block.PreviousHash);
        }
    }

    [Fact]
    public void Duplicate_and_replayed_requests_are_executed_once()
    {
        var h = new PbftHarness();
        var request = PbftHarness.Request(7);
        h.Run(0, new SubmitRequest(request));
        Assert.Empty(h.Run(0, new SubmitRequest(request)));
        h.Pump();
        Assert.All(h.Replicas, r => Assert.Equal(1, r.LastExecuted));

        // After execution, the same request and an older one of the same client are ignored: no new block.
        Assert.Empty(h.Run(0, new SubmitRequest(request)));
        Assert.Empty(h.Run(0, new SubmitRequest(PbftHarness.Request(3))));
        h.TickAll(1);
        h.Pump();
        Assert.All(h.Replicas, r => Assert.Equal(1, r.LastExecuted));
    }

    [Fact]
    public void Request_replayed_inside_a_later_block_is_not_executed_again()
    {
        var h = new PbftHarness();
        var request = PbftHarness.Request(1);
        h.Run(0, new SubmitRequest(request));
        h.Pump();
        // A primary that puts an executed request into a new block gets it ordered, but nobody executes it twice.
        var replay = new Block(2, h.Replicas[1].LastExecutedHash, 0, 0, 0, [request, PbftHarness.Request(2)]);
        var prePrepare = h.Sign(0, new PrePrepare(0, 0, 2, replay));
        var executed = new List<ClientRequest>();
        for (var i = 1; i <= 3; i++)
        {
            h.Deliver(i, prePrepare);
        }
        h.Pump();
        var last = h.Ledgers[1][^1];
        Assert.Equal(2, last.Block.Height);
        Assert.Equal(2, h.Replicas[1].LastExecuted);
        Assert.DoesNotContain(h.Ledgers[1].Take(1).SelectMany(b => b.Block.Requests), r => r.RequestId == 2);
        executed.AddRange(h.Ledgers[1].SelectMany(b => b.Block.Requests));
        Assert.Equal(3, executed.Count);
    }

    [Fact]
    public void Pre_prepare_from_a_backup_is_rejected()
    {
        var h = new PbftHarness();
        var block = new Block(1, h.Genesis.Hash, 2, 0, 0, [PbftHarness.Request(1)]);
        var outputs = h.Deliver(1, h.Sign(2, new PrePrepare(2, 0, 1, block)));
        Assert.Contains("primary of view 0 is 0", Assert.IsType<Rejected>(Assert.Single(outputs)).Reason);
    }

    [Fact]
    public void Second_pre_prepare_with_another_block_is_rejected_as_equivocation()
    {
        var h = new PbftHarness();
        var first = new Block(1, h.Genesis.Hash, 0, 0, 0, [PbftHarness.Request(1)]);
        var second = new Block(1, h.Genesis.Hash, 0, 0, 0, [PbftHarness.Request(2)]);
        h.Deliver(1, h.Sign(0, new PrePrepare(0, 0, 1, first)));
        var outputs = h.Deliver(1, h.Sign(0, new PrePrepare(0, 0, 1, second)));
        Assert.Contains("equivocation", Assert.IsType<Rejected>(Assert.Single(outputs)).Reason);
    }
}
