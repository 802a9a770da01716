using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Node.Simulation;

namespace Swarm.Tests.Simulation;

public sealed class RoundCoordinatorTests
{
    private static readonly float[] Global = [0f, 1f, 2f, 3f];
    private static readonly string[] Members = ["site-0", "site-1", "site-2"];

    private static PublishedUpdate Update(int site) =>
        RoundAggregateTests.Publish($"site-{site}", 10 * (site + 1), [0.1f * site, -0.2f, 0.3f * site, 0.05f]);

    /// <summary>A site's own recomputation, as <see cref="SiteTrainer.Verify"/> does it.</summary>
    private static AggregateRes Recompute(string site, int round, IReadOnlyList<PublishedUpdate> updates)
    {
        var aggregate = RoundAggregate.Compute(new FedAvg(), Global, updates);
        return new AggregateRes(site, round, aggregate.AggregateHash, aggregate.ModelHash);
    }

    [Fact]
    public void A_round_is_accepted_when_every_included_site_reproduces_the_aggregate()
    {
        var round = new RoundCoordinator(1, Members, quorum: 3);
        foreach (var s in new[] { 2, 0, 1 })
        {
            Assert.Equal(OfferOutcome.Accepted, round.Offer(1, Update(s)));
        }
        round.Propose(RoundAggregate.Compute(new FedAvg(), Global, round.Updates));

        var votes = Members.Select(m => Recompute(m, 1, round.Updates)).ToArray();
        Assert.Single(votes.Select(v => v.ModelHash).Distinct());
        Assert.Null(round.Vote(votes[0]));
        Assert.Null(round.Vote(votes[1]));
        var decision = round.Vote(votes[2]);

        Assert.NotNull(decision);
        Assert.True(decision.Accepted, decision.Reason);
        Assert.Equal(RoundPhase.Accepted, round.Phase);
        Assert.Equal(Members, decision.Updates.Select(u => u.SiteId));
    }

    [Fact]
    public void A_tampered_aggregate_hash_is_refused()
    {
        var round = new RoundCoordinator(1, Members, quorum: 3);
        foreach (var s in new[] { 0, 1, 2 })
        {
            round.Offer(1, Update(s));
        }
        var honest = RoundAggregate.Compute(new FedAvg(), Global, round.Updates);
        var tampered = honest with { Parameters = [.. honest.Parameters.Select(p => p + 0.5f)], ModelHash = new string('0', 64) };
        round.Propose(tampered);

        RoundDecision? decision = null;
        foreach (var member in Members)
        {
            decision = round.Vote(Recompute(member, 1, round.Updates));
        }

        Assert.NotNull(decision);
        Assert.False(decision.Accepted);
        Assert.Equal(RoundPhase.Rejected, round.Phase);
        Assert.Equal(Members, decision.Dissent.Select(d => d.SiteId));
        Assert.Contains("not reproduced", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void One_dissenting_site_rejects_the_round()
    {
        var round = new RoundCoordinator(4, Members, quorum: 3);
        foreach (var s in new[] { 0, 1, 2 })
        {
            round.Offer(4, Update(s));
        }
        round.Propose(RoundAggregate.Compute(new FedAvg(), Global, round.Updates));

        round.Vote(Recompute("site-0", 4, round.Updates));
        round.Vote(Recompute("site-1", 4, round.Updates) with { AggregateHash = new string('f', 64) });
        var decision = round.Vote(Recompute("site-2", 4, round.Updates));

        Assert.NotNull(decision);
        Assert.False(decision.Accepted);
        Assert.Equal("site-1", Assert.Single(decision.Dissent).SiteId);
    }

    [Fact]
    public void The_update_set_closes_at_the_quorum()
    {
        var round = new RoundCoordinator(2, Members, quorum: 2);

        Assert.Equal(OfferOutcome.WrongRound, round.Offer(1, Update(0)));
        Assert.Equal(OfferOutcome.Accepted, round.Offer(2, Update(0)));
        Assert.Equal(OfferOutcome.Duplicate, round.Offer(2, Update(0)));
        Assert.Equal(OfferOutcome.UnknownSite, round.Offer(2, Update(0) with { SiteId = "site-9" }));
        Assert.Equal(OfferOutcome.HashMismatch, round.Offer(2, Update(1) with { Hash = Update(2).Hash }));
        Assert.False(round.QuorumReached);
        Assert.Equal(OfferOutcome.Accepted, round.Offer(2, Update(2)));
        Assert.True(round.QuorumReached);
        Assert.Equal(OfferOutcome.Closed, round.Offer(2, Update(1)));
        Assert.Equal(["site-0", "site-2"], round.Updates.Select(u => u.SiteId));
    }
}
