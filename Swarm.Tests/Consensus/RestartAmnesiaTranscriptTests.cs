using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>Issue 12, finding 1: a replica that prepared a block, sent its commit and crashed must still report
/// that prepared certificate in its view change after the restart (Castro and Liskov §4.4: the set P of a view change
/// holds every request prepared above the checkpoint, and the safety argument of §4.5.1 counts on it).
/// Otherwise a new view may re-propose nothing where a block already committed at some replica.</summary>
public sealed class RestartAmnesiaTranscriptTests
{
    /// <summary>In view 0 replicas 0, 1, 2 prepare block B at height 1 and commit; only replica 0 collects a commit
    /// quorum and executes B (replica 3 is cut off for that slot). Returns B.</summary>
    private static Block PrepareEverywhereCommitOnlyAtZero(PbftHarness h)
    {
        h.Run(0, new SubmitRequest(PbftHarness.Request(1)));
        var prePrepare = h.TakeOutbox(0).Single(m => m.Message.Message is PrePrepare).Message;
        var block = ((PrePrepare)prePrepare.Message).Block;
        h.Deliver(1, prePrepare);
        h.Deliver(2, prePrepare);
        var prepare1 = h.TakeOutbox(1).Single(m => m.Message.Message is Prepare).Message;
        var prepare2 = h.TakeOutbox(2).Single(m => m.Message.Message is Prepare).Message;
        h.Deliver(0, prepare1);
        h.Deliver(0, prepare2);
        h.Deliver(1, prepare2);
        h.Deliver(2, prepare1);
        var commit1 = h.TakeOutbox(1).Single(m => m.Message.Message is Commit).Message;
        var commit2 = h.TakeOutbox(2).Single(m => m.Message.Message is Commit).Message;
        h.Deliver(0, commit1);
        h.Deliver(0, commit2);
        Assert.Equal((1L, block.Hash), (h.Replicas[0].LastExecuted, h.Replicas[0].LastExecutedHash));
        Assert.All(h.Replicas.Skip(1), r => Assert.Equal(0, r.LastExecuted));
        for (var i = 0; i < h.Replicas.Length; i++)
        {
            h.TakeOutbox(i);
        }
        return block;
    }

    /// <summary>Replica 0 is slow from now on; 1, 2, 3 get another request, time out, change view and order in
    /// view 1 among themselves. <paramref name="lie"/> may replace what a Byzantine replica sends.</summary>
    private static void ViewChangeWithoutZero(PbftHarness h, Func<int, int, SignedMessage, bool>? lie = null)
    {
        foreach (var i in new[] { 1, 2, 3 })
        {
            h.Run(i, new SubmitRequest(PbftHarness.Request(1, "bob")));
        }
        h.TickAll(PbftHarness.Options.RequestTimeoutTicks, stopped: 0);
        Assert.All(new[] { 1, 2, 3 }, i => Assert.Equal(1, h.Replicas[i].View));
        h.Pump(lie ?? ((_, _, _) => true), 0);
        h.TickAll(PbftHarness.Options.RequestTimeoutTicks, stopped: 0);
        h.Pump(lie ?? ((_, _, _) => true), 0);
    }

    [Fact]
    public void Block_executed_at_one_replica_survives_the_restart_of_two_that_prepared_it()
    {
        var h = new PbftHarness();
        var block = PrepareEverywhereCommitOnlyAtZero(h);
        h.Restart(1);
        h.Restart(2);

        ViewChangeWithoutZero(h);

        Assert.All(new[] { 1, 2, 3 }, i =>
        {
            Assert.True(h.Replicas[i].LastExecuted >= 1, $"replica {i} executed nothing");
            Assert.Equal(block.Hash, h.Ledgers[i].Single(b => b.Block.Height == 1).Block.Hash);
        });
    }

    [Fact]
    public void Block_executed_at_one_replica_survives_a_restart_and_a_byzantine_that_omits_its_certificate()
    {
        var h = new PbftHarness();
        var block = PrepareEverywhereCommitOnlyAtZero(h);
        h.Restart(1);
        var omitted = 0;

        // Replica 2 is Byzantine: its view change claims nothing prepared.
        bool Lie(int from, int to, SignedMessage message)
        {
            if (from != 2 || message.Message is not ViewChange { Prepared.Count: > 0 } vc)
            {
                return true;
            }
            omitted++;
            h.Deliver(to, h.Sign(2, vc with { Prepared = [] }));
            return false;
        }
        ViewChangeWithoutZero(h, Lie);

        Assert.True(omitted > 0, "the Byzantine replica never had a certificate to omit");
        Assert.All(new[] { 1, 3 }, i =>
        {
            Assert.True(h.Replicas[i].LastExecuted >= 1, $"replica {i} executed nothing");
            Assert.Equal(block.Hash, h.Ledgers[i].Single(b => b.Block.Height == 1).Block.Hash);
        });
    }

    [Fact]
    public void Replica_restarted_during_a_view_change_resumes_it_and_repeats_its_certificates()
    {
        var h = new PbftHarness();
        var block = PrepareEverywhereCommitOnlyAtZero(h);
        h.TickAll(PbftHarness.Options.RequestTimeoutTicks, stopped: [0, 2, 3]);
        Assert.Equal((1L, ReplicaMode.ViewChange), (h.Replicas[1].View, h.Replicas[1].Mode));

        var restarted = h.Restart(1);

        Assert.Equal((1L, ReplicaMode.ViewChange), (restarted.View, restarted.Mode));
        h.TickAll(1, stopped: [0, 2, 3]);
        var again = (ViewChange)h.TakeOutbox(1).Single(m => m.Message.Message is ViewChange).Message.Message;
        Assert.Equal(1, again.NewView);
        Assert.Equal(block.Hash, Assert.Single(again.Prepared).Proposal.Block.Hash);
    }

    [Fact]
    public void Replica_restarted_after_installing_a_new_view_accepts_only_its_re_proposals()
    {
        var h = new PbftHarness();
        var block = PrepareEverywhereCommitOnlyAtZero(h);
        h.TickAll(PbftHarness.Options.RequestTimeoutTicks, stopped: 0);
        h.Pump((from, to, m) => m.Message is not (PrePrepare or Prepare or Commit), 0);
        Assert.Equal((1L, ReplicaMode.Normal), (h.Replicas[3].View, h.Replicas[3].Mode));

        var restarted = h.Restart(3);

        Assert.Equal((1L, ReplicaMode.Normal), (restarted.View, restarted.Mode));
        // A fresh block at height 1 from the new primary is refused: height 1 belongs to the re-proposal of B.
        var fresh = new Block(1, h.Genesis.Hash, 1, 1, 0, [PbftHarness.Request(9, "bob")]);
        var outputs = h.Deliver(3, h.Sign(1, new PrePrepare(1, 1, 1, fresh)));
        Assert.Contains("differs from the new-view set", Assert.IsType<Rejected>(Assert.Single(outputs)).Reason);
        Assert.Contains(h.Deliver(3, h.Sign(1, new PrePrepare(1, 1, 1, block))), o => o is SignRequest { Message: Prepare });
    }
}
