using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;
using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Consensus;

/// <summary>Issue 12, finding 2, membership: one Byzantine member must not be able to reconfigure the chain on its
/// own. (Requests in a client's name: <see cref="ClientRequestSignatureTests"/>.)</summary>
public sealed class RequestAdmissionTranscriptTests
{
    /// <summary>Commits blocks with alice's requests until every replica executed past <paramref name="height"/>.</summary>
    private static void CommitPast(PbftHarness h, long height, long firstId = 1)
    {
        for (var id = firstId; h.Replicas[0].LastExecuted <= height; id++)
        {
            h.Run(0, new SubmitRequest(PbftHarness.Request(id)));
            h.Pump();
        }
    }

    [Fact]
    public void Membership_change_relayed_by_one_member_does_not_replace_another_members_key()
    {
        var h = new PbftHarness();
        var original = h.Genesis.Members[1].PublicKey;
        var takeover = new MembershipChange(MembershipChangeKind.Add, new Member(1, FakeSignatureScheme.CreateSigner(3).PublicKey)).ToRequest(1);

        // Replica 3 relays the change in its own name, as any member can relay a client's request.
        h.Deliver(0, h.Sign(3, new RequestBatch(3, [takeover])));
        h.Pump();
        CommitPast(h, MembershipChange.ActivationHeight(1, PbftHarness.Parameters) + 1);

        Assert.All(h.Replicas, r =>
        {
            Assert.Equal(original, r.Configuration.Find(1)!.PublicKey);
            Assert.Equal(original, r.KnownMembers.Find(1)!.PublicKey);
        });
    }

    [Fact]
    public void Membership_change_with_too_few_approvals_is_refused_and_with_a_quorum_takes_effect_at_activation()
    {
        var h = new PbftHarness();
        var newcomer = new Member(4, FakeSignatureScheme.CreateSigner(4).PublicKey);
        var add = new MembershipChange(MembershipChangeKind.Add, newcomer);

        var outputs = h.Deliver(0, h.Sign(3, new RequestBatch(3, [h.Approved(add, 1, 2, 3)])));
        Assert.Contains("lacks the approvals of a quorum", Assert.IsType<Rejected>(Assert.Single(outputs)).Reason);

        // A forged approval is refused at the edge, before any replica sees the request.
        var forged = h.Approved(add, 1, 0, 1, 2);
        var change = MembershipChange.TryParse(forged)!;
        var bad = (change with { Approvals = [change.ApprovalList[0], change.ApprovalList[1], new MemberApproval(2, new byte[64])] }).ToRequest(1);
        Assert.Throws<Xunit.Sdk.TrueException>(() => h.Verify(h.Sign(3, new RequestBatch(3, [bad]))));

        h.Run(0, new SubmitRequest(h.Approved(add, 1, 0, 1, 2)));
        h.Pump();
        var activation = MembershipChange.ActivationHeight(1, PbftHarness.Parameters);
        CommitPast(h, activation - 2, firstId: 10);
        Assert.Equal(activation - 1, h.Replicas[0].LastExecuted);
        Assert.Null(h.Replicas[0].KnownMembers.Find(4));
        CommitPast(h, activation - 1, firstId: 100);
        Assert.Equal(newcomer.PublicKey, h.Replicas[0].KnownMembers.Find(4)!.PublicKey);
        Assert.Equal(5, h.Replicas[0].Configuration.N);
    }
}
