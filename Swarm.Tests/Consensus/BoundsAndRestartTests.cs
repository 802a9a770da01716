using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>Block timestamps, bounded buffers for future views, and a restarted replica that must not vote twice.</summary>
public sealed class BoundsAndRestartTests
{
    [Fact]
    public void Block_timestamp_far_from_the_replica_clock_is_rejected()
    {
        var h = new PbftHarness();
        h.Run(1, new Tick(1_000_000));
        var block = new Block(1, h.Genesis.Hash, 0, 0, 1_000_000 + PbftHarness.Parameters.ClockSkewMaxMs + 1, [PbftHarness.Request(1)]);
        var outputs = h.Deliver(1, h.Sign(0, new PrePrepare(0, 0, 1, block)));
        Assert.Contains("timestamp", Assert.IsType<Rejected>(Assert.Single(outputs)).Reason);
    }

    [Fact]
    public void Block_with_a_timestamp_below_its_predecessor_is_not_prepared()
    {
        var h = new PbftHarness();
        var first = new Block(1, h.Genesis.Hash, 0, 0, 500, [PbftHarness.Request(1)]);
        var second = new Block(2, first.Hash, 0, 0, 499, [PbftHarness.Request(2)]);
        h.Deliver(1, h.Sign(0, new PrePrepare(0, 0, 1, first)));
        h.Deliver(1, h.Sign(2, new Prepare(2, 0, 1, first.Hash)));
        var outputs = h.Deliver(1, h.Sign(0, new PrePrepare(0, 0, 2, second)));
        Assert.Contains("earlier timestamp", Assert.IsType<Rejected>(Assert.Single(outputs)).Reason);
        Assert.DoesNotContain(outputs, o => o is SignRequest);
    }

    [Fact]
    public void Messages_for_future_views_are_buffered_up_to_the_per_peer_limit()
    {
        var h = new PbftHarness();
        var limit = PbftHarness.Options.PeerFutureMessagesMax;
        for (var i = 0; i < limit; i++)
        {
            Assert.Empty(h.Deliver(1, h.Sign(2, new Prepare(2, 5, 1 + (i % 4), h.Genesis.Hash))).OfType<Rejected>());
        }
        var outputs = h.Deliver(1, h.Sign(2, new Prepare(2, 5, 1, h.Genesis.Hash)));
        Assert.Contains("PeerFutureMessagesMax", Assert.IsType<Rejected>(Assert.Single(outputs)).Reason);
        Assert.Equal(0, h.Replicas[1].View);
    }

    [Fact]
    public void Restarted_replica_does_not_vote_again_for_a_slot_it_voted_for()
    {
        var h = new PbftHarness();
        var block = new Block(1, h.Genesis.Hash, 0, 0, 0, [PbftHarness.Request(1)]);
        var prePrepare = h.Sign(0, new PrePrepare(0, 0, 1, block));
        var before = h.Deliver(1, prePrepare);
        var state = Assert.IsType<PersistState>(before[0]).State;
        Assert.Equal(1, state.VotedThrough);

        // Crash and restart from the store: the hard state says it voted through sequence 1 in view 0.
        var restarted = Replica.Restore(h.Genesis, 1, PbftHarness.Options, state, h.Ledgers[1]);
        var outputs = restarted.Step(new Receive(h.Verify(prePrepare)));
        Assert.DoesNotContain(outputs, o => o is SignRequest);
        // Slot 1 still becomes prepared from the others' prepares, but the restarted replica sends no commit for it.
        Assert.DoesNotContain(restarted.Step(new Receive(h.Verify(h.Sign(2, new Prepare(2, 0, 1, block.Hash))))), o => o is SignRequest);
        Assert.DoesNotContain(restarted.Step(new Receive(h.Verify(h.Sign(3, new Prepare(3, 0, 1, block.Hash))))), o => o is SignRequest);
        // Slot 2 was never voted for: the restarted replica prepares it as usual.
        var next = new Block(2, block.Hash, 0, 0, 0, [PbftHarness.Request(2)]);
        var later = restarted.Step(new Receive(h.Verify(h.Sign(0, new PrePrepare(0, 0, 2, next)))));
        Assert.Contains(later, o => o is SignRequest { Message: Prepare { Sequence: 2 } });
    }
}
