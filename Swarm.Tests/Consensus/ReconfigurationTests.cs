using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>Membership changes are committed requests that take effect at a defined height: the first checkpoint
/// at least one watermark window above the block that holds them.</summary>
public sealed class ReconfigurationTests
{
    [Fact]
    public void Activation_height_is_the_first_checkpoint_a_window_above_the_commit()
    {
        var parameters = PbftHarness.Parameters;
        Assert.Equal(6, MembershipChange.ActivationHeight(1, parameters));
        Assert.Equal(6, MembershipChange.ActivationHeight(2, parameters));
        Assert.Equal(8, MembershipChange.ActivationHeight(3, parameters));
    }

    /// <summary>Members 0–2 approve removing member 3 (committed at height 1); requests are committed until two
    /// blocks above the activation height. Returns that height.</summary>
    private static long RemoveMemberThreePastItsActivation(PbftHarness h)
    {
        var removal = h.Approved(new MembershipChange(MembershipChangeKind.Remove, h.Genesis.Members[3]), 1, 0, 1, 2);
        h.Run(0, new SubmitRequest(removal));
        h.Pump();
        var activation = MembershipChange.ActivationHeight(1, PbftHarness.Parameters);
        for (var i = 2; h.Replicas[0].LastExecuted < activation + 2; i++)
        {
            h.Run(0, new SubmitRequest(PbftHarness.Request(i)));
            h.Pump();
        }
        return activation;
    }

    [Fact]
    public void Removed_member_stops_counting_from_the_activation_height_on()
    {
        var h = new PbftHarness();
        var activation = RemoveMemberThreePastItsActivation(h);
        Assert.All(h.Replicas, r => Assert.Equal(4, r.ConfigurationFor(activation).N));
        Assert.All(h.Replicas, r => Assert.Equal(3, r.ConfigurationFor(activation + 1).N));
        Assert.Equal(3, h.Replicas[0].Configuration.N);
        Assert.Equal(2, h.Replicas[0].Configuration.Quorum);
        var after = h.Ledgers[0].Single(b => b.Block.Height == activation + 1);
        Assert.DoesNotContain(after.Certificate.Votes, v => v.ReplicaId == 3);
        var verifier = new CertificateVerifier(h.Genesis.ChainId, h.Verifier);
        Assert.True(verifier.Verify(h.Replicas[0].Configuration, after.Block, after.Certificate).Ok);

        // A vote of the removed replica for a height above the activation is refused.
        var stale = h.Sign(3, new Prepare(3, 0, activation + 3, after.Block.Hash));
        var outputs = h.Deliver(1, stale);
        Assert.Contains("not a member of the configuration", Assert.IsType<Rejected>(Assert.Single(outputs)).Reason);
    }

    [Fact]
    public void A_removed_members_view_change_counts_toward_no_new_view()
    {
        // Found by the sweep (n = 4, seed 120, with requests relayed at once): member 1, faulty and removed, sent a
        // view change that completed a new-view quorum of 2 in the 3-member configuration; the quorum missed the
        // members holding the certificate of a committed block, and the new view re-proposed a null block there.
        var h = new PbftHarness();
        RemoveMemberThreePastItsActivation(h);
        Assert.Equal(3, h.Replicas[0].Configuration.N);

        ViewChange To(int sender, long view) =>
            new(sender, view, 0, h.Genesis.Hash, PbftHarness.Parameters.GenesisTimestampMs, [], []);
        var removed = h.Sign(3, To(3, 1));
        Assert.Contains("not a member of the configuration in force",
            Assert.IsType<Rejected>(Assert.Single(h.Deliver(0, removed), o => o is Rejected)).Reason);

        // A new view for view 1 (primary: replica 1 of {0, 1, 2}) that counts the removed member is refused.
        var primary = h.Replicas[0].Configuration.Primary(1);
        var newView = h.Sign(primary, new NewView(primary, 1, [h.Sign(primary, To(primary, 1)), removed]));
        Assert.Contains("not a member of the configuration in force",
            Assert.IsType<Rejected>(Assert.Single(h.Deliver(2, newView), o => o is Rejected)).Reason);
        Assert.Equal(0, h.Replicas[2].View);
    }

    [Fact]
    public void Change_that_leaves_no_usable_configuration_is_ignored()
    {
        var single = new Swarm.Consensus.Blocks.Configuration([new Member(0, [1])], 0);
        Assert.Null(single.Apply(new MembershipChange(MembershipChangeKind.Remove, single.Members[0])));
        var four = new Swarm.Consensus.Blocks.Configuration([new Member(0, [1]), new Member(1, [2]), new Member(2, [3]), new Member(3, [4])], 1);
        var grown = four.Apply(new MembershipChange(MembershipChangeKind.Add, new Member(4, [5])));
        Assert.Equal((5, 1, 4), (grown!.N, grown.F, grown.Quorum));
    }
}
