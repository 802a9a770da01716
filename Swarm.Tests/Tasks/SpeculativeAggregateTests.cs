using Swarm.Learning.Updates;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>Training ahead before the close (<see cref="TaskSite.TrainAhead"/>, docs/rounds.md): while the open round
/// lacks one update of its quorum and one site outside it has offered an update the site holds, the site computes
/// that set's aggregate before the chain closes the round and trains the next round from it. The attack: a peer
/// offers an update (and serves its bytes) that the chain never takes. The site must never vote the guessed set, and
/// nothing it trained from the guess may leave it.</summary>
public sealed class SpeculativeAggregateTests() : FourSiteTaskTests("speculate")
{
    private static UpdatePublished Published(int round, PublishedUpdate update) => new(round, update.SiteId, update.Hash, update.SampleCount);

    private static AggregateRecomputed Computed(int round, float[] model) =>
        new(round, "agg-" + ModelDigest.Hex(model), ModelDigest.Hex(model), model);

    private static bool Publishes(IEnumerable<SiteOutput> outputs, int round, string hash) =>
        outputs.Any(o => o is SubmitToChain { Request: UpdatePublished p } && p.Round == round && p.UpdateHash == hash)
        || outputs.Any(o => o is OfferUpdate offer && offer.Hash == hash);

    private static readonly float[] RoundOneModel = [0.25f, 0.5f, -0.25f, 1f];

    /// <summary>Site b through round 1 (every update in one block, so nothing to guess) and into round 2, where its
    /// own update (trained ahead) and those of a and c are on the chain and their bytes here: one update short of
    /// the quorum. Returns d's round-2 update, not yet offered.</summary>
    private (TaskSite Site, PublishedUpdate D) OneUpdateShortInRoundTwo()
    {
        var site = new TaskSite(Spec(), "b", NewChain(), Initial);
        site.Step(new SiteStarted(Restarted: false));
        var first = Sites.Select((s, i) => Update(s, 1, 0.1f * (i + 1))).ToList();
        site.Step(Trained(1, first[1]));
        site.Step(Block([.. first.Select(u => Published(1, u))]));
        foreach (var update in first.Where(u => u.SiteId != "b"))
        {
            site.Step(new BlobArrived(update.SiteId, BlobKind.Update, update.Hash, update.Bytes));
        }
        var vote = site.Step(Computed(1, RoundOneModel));
        Assert.Contains(vote, o => o is TrainRound { Round: 2 });
        site.Step(Trained(2, Update("b", 2, 0.7f)));
        var final = site.Step(Votes(1, site.Chain.CurrentClosed!.UpdateSetDigest, RoundOneModel, "a", "c", "d"));
        Assert.Contains(final, o => o is SubmitToChain { Request: UpdatePublished { Round: 2, Site: "b" } });

        var (a, c) = (Update("a", 2, 0.2f), Update("c", 2, 0.4f));
        var taken = site.Step(Block(Published(2, a), new UpdatePublished(2, "b", Update("b", 2, 0.7f).Hash, 100), Published(2, c)));
        Assert.DoesNotContain(taken, o => o is RecomputeAggregate);
        site.Step(new BlobArrived("a", BlobKind.Update, a.Hash, a.Bytes));
        site.Step(new BlobArrived("c", BlobKind.Update, c.Hash, c.Bytes));
        Assert.Null(site.Chain.CurrentClosed);
        return (site, Update("d", 2, 0.8f));
    }

    [Fact]
    public void The_last_offered_update_completes_the_set_the_site_computes_and_trains_from_before_the_close_and_votes_at_the_close()
    {
        var (site, d) = OneUpdateShortInRoundTwo();
        Assert.DoesNotContain(site.Step(new UpdateOffered("d", 2, d.Hash)), o => o is RecomputeAggregate);

        var arrived = site.Step(new BlobArrived("d", BlobKind.Update, d.Hash, d.Bytes));

        var compute = Assert.Single(arrived.OfType<RecomputeAggregate>());
        Assert.Equal(["a", "b", "c", "d"], compute.Included.Select(u => u.Site));
        Assert.Equal(d.Hash, compute.Included[^1].Hash);
        Assert.Equal(RoundOneModel, compute.Global);
        float[] model = [0.5f, 1f, -0.5f, 2f];
        var computed = site.Step(Computed(2, model));
        Assert.DoesNotContain(computed, o => o is SubmitToChain { Request: AggregateVote });
        Assert.Equal(model, Assert.Single(computed.OfType<TrainRound>(), t => t.Round == 3).Global);

        var closed = site.Step(Block(Published(2, d)));

        var vote = Assert.Single(closed.OfType<SubmitToChain>().Select(s => s.Request).OfType<AggregateVote>());
        Assert.Equal((2, site.Chain.CurrentClosed!.UpdateSetDigest, ModelDigest.Hex(model)), (vote.Round, vote.UpdateSetDigest, vote.ModelHash));
        Assert.DoesNotContain(closed, o => o is RecomputeAggregate);
        Assert.DoesNotContain(closed, o => o is TrainRound);

        var ahead = Update("b", 3, 0.9f);
        Assert.False(Publishes(site.Step(Trained(3, ahead)), 3, ahead.Hash), "left the site before round 2 was final");
        var final = site.Step(Votes(2, vote.UpdateSetDigest, model, "a", "b", "c"));
        Assert.True(Publishes(final, 3, ahead.Hash));
    }

    [Fact]
    public void An_offered_update_the_chain_never_takes_is_never_voted_and_the_update_trained_from_the_guess_never_leaves_the_site()
    {
        var (site, d) = OneUpdateShortInRoundTwo();
        site.Step(new UpdateOffered("d", 2, d.Hash));
        Assert.Single(site.Step(new BlobArrived("d", BlobKind.Update, d.Hash, d.Bytes)).OfType<RecomputeAggregate>());
        float[] guessed = [0.5f, 1f, -0.5f, 2f];
        Assert.Contains(site.Step(Computed(2, guessed)), o => o is TrainRound { Round: 3 });
        var fromGuess = Update("b", 3, 0.9f);
        Assert.False(Publishes(site.Step(Trained(3, fromGuess)), 3, fromGuess.Hash));

        // d never submits: two deadline notices close the round on a, b and c.
        var closed = site.Step(Block(new CloseRound(2, "a"), new CloseRound(2, "c")));

        var digest = site.Chain.CurrentClosed!.UpdateSetDigest;
        Assert.DoesNotContain(site.Chain.CurrentClosed.Included, u => u.Site == "d");
        Assert.DoesNotContain(closed, o => o is SubmitToChain { Request: AggregateVote });
        var recompute = Assert.Single(closed.OfType<RecomputeAggregate>());
        Assert.Equal(["a", "b", "c"], recompute.Included.Select(u => u.Site));
        float[] agreed = [0.4f, 0.8f, -0.4f, 2f];
        var voted = site.Step(Computed(2, agreed));
        var vote = Assert.Single(voted.OfType<SubmitToChain>().Select(s => s.Request).OfType<AggregateVote>());
        Assert.Equal((digest, ModelDigest.Hex(agreed)), (vote.UpdateSetDigest, vote.ModelHash));
        // The update trained from the guess is thrown away and round 3 trained again from the model voted.
        Assert.Equal(agreed, Assert.Single(voted.OfType<TrainRound>()).Global);

        var fresh = Update("b", 3, 0.3f);
        var trained = site.Step(Trained(3, fresh));
        var final = site.Step(Votes(2, digest, agreed, "a", "b", "c"));
        Assert.False(Publishes([.. trained, .. final], 3, fromGuess.Hash), "an update trained from a set the chain never closed on left the site");
        Assert.True(Publishes(final, 3, fresh.Hash));
    }

    [Fact]
    public void With_two_sites_outside_the_quorum_offering_or_an_offer_for_another_round_the_site_guesses_nothing()
    {
        var (site, d) = OneUpdateShortInRoundTwo();
        var other = Update("d", 2, -0.8f);
        site.Step(new UpdateOffered("d", 3, other.Hash));
        site.Step(new BlobArrived("d", BlobKind.Update, other.Hash, other.Bytes));
        site.Step(new UpdateOffered("d", 2, d.Hash));
        // A second hash offered by d for the same round: two candidates, no guess.
        site.Step(new UpdateOffered("d", 2, other.Hash));

        var arrived = site.Step(new BlobArrived("d", BlobKind.Update, d.Hash, d.Bytes));

        Assert.DoesNotContain(arrived, o => o is RecomputeAggregate);
        var closed = site.Step(Block(Published(2, d)));
        Assert.Single(closed.OfType<RecomputeAggregate>());
    }
}
