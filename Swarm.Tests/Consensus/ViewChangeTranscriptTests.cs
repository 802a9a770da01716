using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>View change (Castro and Liskov §4.4, §4.5.2) as a transcript: a request prepared in view 0 whose
/// primary then falls silent is carried into view 1 by the prepared certificates and committed there.</summary>
public sealed class ViewChangeTranscriptTests
{
    [Fact]
    public void Prepared_request_of_a_silent_primary_is_committed_in_the_new_view()
    {
        var h = new PbftHarness();
        var request = PbftHarness.Request(1);

        // View 0: the primary proposes; every backup prepares and reaches prepared, but every commit is lost.
        h.Run(0, new SubmitRequest(request));
        var prePrepare = h.TakeOutbox(0).Single().Message;
        var block = ((PrePrepare)prePrepare.Message).Block;
        for (var i = 1; i <= 3; i++)
        {
            h.Deliver(i, prePrepare);
        }
        var prepares = Enumerable.Range(1, 3).Select(i => h.TakeOutbox(i).Single().Message).ToArray();
        for (var i = 1; i <= 3; i++)
        {
            foreach (var prepare in prepares.Where(p => p.Message.Sender != i))
            {
                h.Deliver(i, prepare);
            }
            Assert.Single(h.TakeOutbox(i), m => m.Message.Message is Commit);
        }
        Assert.All(h.Replicas.Skip(1), r => Assert.Equal(0, r.LastExecuted));

        // The primary is silent from now on. The backups' request timers expire after RequestTimeoutTicks.
        h.TickAll(PbftHarness.Options.RequestTimeoutTicks - 1, stopped: 0);
        Assert.All(h.Replicas.Skip(1), r => Assert.Equal(ReplicaMode.Normal, r.Mode));
        h.TickAll(1, stopped: 0);
        Assert.All(h.Replicas.Skip(1), r => Assert.Equal((1L, ReplicaMode.ViewChange), (r.View, r.Mode)));
        var viewChanges = Enumerable.Range(1, 3)
            .Select(i => (ViewChange)h.TakeOutbox(i).Single(m => m.Message.Message is ViewChange).Message.Message).ToArray();
        Assert.All(viewChanges, vc =>
        {
            Assert.Equal(1, vc.NewView);
            var proof = Assert.Single(vc.Prepared);
            Assert.Equal(block.Hash, proof.Proposal.Block.Hash);
            Assert.Equal(2, proof.Prepares.Count);
        });

        // Re-deliver the view changes: replica 1, primary of view 1, sends the new view; all install it and the
        // prepared block is re-proposed at sequence 1 and committed in view 1 with the same hash.
        h.TickAll(0);
        for (var i = 1; i <= 3; i++)
        {
            foreach (var vc in viewChanges.Where(v => v.Sender != i))
            {
                h.Deliver(i, h.Sign(vc.Sender, vc));
            }
        }
        Assert.Contains(h.Outbox[1], m => m.Message.Message is NewView);
        h.Pump(0);
        Assert.All(h.Replicas.Skip(1), r =>
        {
            Assert.Equal((1L, ReplicaMode.Normal), (r.View, r.Mode));
            Assert.Equal(1, r.LastExecuted);
            Assert.Equal(block.Hash, r.LastExecutedHash);
        });
        var certificate = h.Ledgers[2].Single().Certificate;
        Assert.Equal(1, certificate.View);
        Assert.Equal(request, Assert.Single(h.Ledgers[2].Single().Block.Requests));
    }

    [Fact]
    public void Replica_alone_in_suspecting_the_primary_waits_in_its_view_and_repeats_its_view_change()
    {
        // Replica 2 is the only one up with a waiting request (as the first node back after an outage).
        var h = new PbftHarness();
        h.Run(2, new SubmitRequest(PbftHarness.Request(1)));
        h.TickAll(PbftHarness.Options.RequestTimeoutTicks, stopped: [0, 1, 3]);
        Assert.Equal((1L, ReplicaMode.ViewChange), (h.Replicas[2].View, h.Replicas[2].Mode));

        // Nobody answers for many view-change timeouts: it neither climbs views on its own (the others, seeing one
        // view change, would never follow it) nor goes quiet: it repeats its view change for peers coming back.
        h.TickAll(PbftHarness.Options.ViewChangeTimeoutTicks * 20, stopped: [0, 1, 3]);
        Assert.Equal((1L, ReplicaMode.ViewChange), (h.Replicas[2].View, h.Replicas[2].Mode));
        var repeated = h.TakeOutbox(2).Select(m => m.Message.Message).OfType<ViewChange>().ToList();
        Assert.True(repeated.Count >= 10, $"{repeated.Count} view changes sent");
        Assert.All(repeated, vc => Assert.Equal(1, vc.NewView));

        // Once 2f + 1 ask for view 1 (one of them for a later view), its timer runs: no new view in time, so view 2.
        h.Deliver(2, h.Sign(1, new ViewChange(1, 1, 0, h.Genesis.Hash, 0, [], [])));
        h.Deliver(2, h.Sign(3, new ViewChange(3, 2, 0, h.Genesis.Hash, 0, [], [])));
        h.TickAll(PbftHarness.Options.ViewChangeTimeoutTicks, stopped: [0, 1, 3]);
        Assert.Equal((2L, ReplicaMode.ViewChange), (h.Replicas[2].View, h.Replicas[2].Mode));
    }

    [Fact]
    public void Replica_left_in_a_higher_view_fetches_the_last_block_of_a_chain_that_went_quiet()
    {
        // Replica 2 asks alone for view 1 and is cut off while the others commit block 1 in view 0; then the chain
        // goes quiet: no more commits, no checkpoint that would tell replica 2 how far the chain is.
        var h = new PbftHarness();
        h.Run(2, new SubmitRequest(PbftHarness.Request(1, "bob")));
        h.TickAll(PbftHarness.Options.RequestTimeoutTicks, stopped: [0, 1, 3]);
        Assert.Equal((1L, ReplicaMode.ViewChange), (h.Replicas[2].View, h.Replicas[2].Mode));
        h.TakeOutbox(2);
        h.Run(0, new SubmitRequest(PbftHarness.Request(1)));
        h.Pump(isolated: 2);
        Assert.All(new[] { 0, 1, 3 }, i => Assert.Equal(1, h.Replicas[i].LastExecuted));
        Assert.Equal(0, h.Replicas[2].LastExecuted);

        // The others, idle, repeat their commit of block 1 after RequestTimeoutTicks: replica 2 sees a quorum of
        // them and fetches the block, while it still waits for view 1. (Its relayed request is committed meanwhile
        // in view 0; it sees those commits and fetches that block too.)
        h.TickAll(PbftHarness.Options.RequestTimeoutTicks);
        h.Pump();
        h.TickAll(PbftHarness.Options.FetchTimeoutTicks);
        h.Pump();
        Assert.True(h.Replicas[2].LastExecuted >= 1);
        Assert.Equal((h.Replicas[0].LastExecuted, h.Replicas[0].LastExecutedHash), (h.Replicas[2].LastExecuted, h.Replicas[2].LastExecutedHash));
        Assert.Equal((1L, ReplicaMode.ViewChange), (h.Replicas[2].View, h.Replicas[2].Mode));
        Assert.All(new[] { 0, 1, 3 }, i => Assert.Equal((0L, ReplicaMode.Normal), (h.Replicas[i].View, h.Replicas[i].Mode)));
    }

    [Fact]
    public void Replica_joins_a_view_change_once_f_plus_one_others_ask_for_it()
    {
        var h = new PbftHarness();
        var vc1 = new ViewChange(1, 1, 0, h.Genesis.Hash, 0, [], []);
        var vc3 = new ViewChange(3, 1, 0, h.Genesis.Hash, 0, [], []);
        h.Deliver(2, h.Sign(1, vc1));
        Assert.Equal(ReplicaMode.Normal, h.Replicas[2].Mode);
        var outputs = h.Deliver(2, h.Sign(3, vc3));
        Assert.Equal((1L, ReplicaMode.ViewChange), (h.Replicas[2].View, h.Replicas[2].Mode));
        Assert.Contains(outputs, o => o is SignRequest { Message: ViewChange { NewView: 1 } });
    }

    [Fact]
    public void New_view_without_a_quorum_of_view_changes_is_rejected()
    {
        var h = new PbftHarness();
        var vc = h.Sign(2, new ViewChange(2, 1, 0, h.Genesis.Hash, 0, [], []));
        var newView = h.Sign(1, new NewView(1, 1, [vc]));
        var outputs = h.Deliver(3, newView);
        Assert.Contains("needs 3", Assert.IsType<Rejected>(Assert.Single(outputs)).Reason);
        Assert.Equal(0, h.Replicas[3].View);
    }
}
