using System.Runtime.InteropServices;
using Swarm.Learning.Updates;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>Training ahead (<see cref="TaskSite.TrainAhead"/>): after voting round r's aggregate a site trains round
/// r + 1 from it while the votes are ordered, and the update it trains that way leaves the site only once the chain
/// finalizes exactly the model it was trained from. The attack: a site whose own recomputation is wrong (a fault,
/// or bytes a peer tampered with) must not publish an update built on a model the swarm did not agree.</summary>
public sealed class TrainAheadTests() : FourSiteTaskTests("ahead")
{
    private static byte[] Bytes(float[] model) => MemoryMarshal.AsBytes(model.AsSpan()).ToArray();

    /// <summary>Runs site b through round 1 up to its vote: every site publishes, b fetches the others' updates and
    /// recomputes; returns the outputs of b's vote step (made with <paramref name="own"/> as its aggregate).</summary>
    private (TaskSite Site, IReadOnlyList<SiteOutput> VoteStep, string SetDigest) VoteRoundOne(float[] own, bool trainAhead = true)
    {
        var site = new TaskSite(Spec(), "b", NewChain(), Initial) { TrainAhead = trainAhead };
        Assert.Contains(site.Step(new SiteStarted(Restarted: false)), o => o is TrainRound { Round: 1 });
        var updates = Sites.Select((s, i) => Update(s, 1, 0.1f * (i + 1))).ToList();
        site.Step(Trained(1, updates[1]));
        var closing = site.Step(Block([.. updates.Select(u => new UpdatePublished(1, u.SiteId, u.Hash, u.SampleCount))]));
        Assert.Contains(closing, o => o is FetchBlob { Kind: BlobKind.Update });
        IReadOnlyList<SiteOutput> last = [];
        foreach (var update in updates.Where(u => u.SiteId != "b"))
        {
            last = site.Step(new BlobArrived(update.SiteId, BlobKind.Update, update.Hash, update.Bytes));
        }
        Assert.Contains(last, o => o is RecomputeAggregate { Round: 1 });
        var digest = site.Chain.CurrentClosed!.UpdateSetDigest;
        return (site, site.Step(new AggregateRecomputed(1, "agg-" + ModelDigest.Hex(own), ModelDigest.Hex(own), own)), digest);
    }

    private static bool Publishes(IEnumerable<SiteOutput> outputs, int round) =>
        outputs.Any(o => o is SubmitToChain { Request: UpdatePublished p } && p.Round == round)
        || outputs.Any(o => o is OfferUpdate offer && offer.Round == round)
        || outputs.Any(o => o is StoreBlob { Kind: BlobKind.Update });

    [Fact]
    public void A_site_trains_the_next_round_from_its_own_aggregate_and_publishes_it_only_once_the_chain_finalizes_that_model()
    {
        float[] aggregate = [0.25f, 0.5f, -0.25f, 1f];
        var (site, voteStep, digest) = VoteRoundOne(aggregate);

        Assert.Contains(voteStep, o => o is SubmitToChain { Request: AggregateVote { Round: 1 } });
        var train = Assert.Single(voteStep.OfType<TrainRound>());
        Assert.Equal(2, train.Round);
        Assert.Equal(aggregate, train.Global);
        // No deadline yet: round 2 is not open, and its deadline counts from when it opens.
        Assert.DoesNotContain(voteStep, o => o is SetDeadline { Round: 2 });

        var ahead = Update("b", 2, 0.7f);
        var held = site.Step(Trained(2, ahead));
        Assert.False(Publishes(held, 2), "an update trained ahead left the site before the round it was trained after was final");
        Assert.False(Publishes(site.Step(Votes(1, digest, aggregate, "a", "c")), 2), "published after two of the three votes the round needs");

        var final = site.Step(Votes(1, digest, aggregate, "d"));
        var published = Assert.Single(final.OfType<SubmitToChain>().Select(s => s.Request).OfType<UpdatePublished>());
        Assert.Equal((2, "b", ahead.Hash), (published.Round, published.Site, published.UpdateHash));
        Assert.Contains(final, o => o is SetDeadline { Round: 2 });
        Assert.DoesNotContain(final, o => o is TrainRound);
        Assert.Equal(ModelDigest.Hex(aggregate), site.GlobalHash);
    }

    [Fact]
    public void An_update_trained_from_an_aggregate_the_chain_did_not_finalize_is_thrown_away_and_the_round_trained_from_the_final_model()
    {
        float[] wrong = [9f, 9f, 9f, 9f];
        float[] agreed = [0.25f, 0.5f, -0.25f, 1f];
        var (site, voteStep, digest) = VoteRoundOne(wrong);
        Assert.Equal(wrong, Assert.Single(voteStep.OfType<TrainRound>()).Global);
        Assert.False(Publishes(site.Step(Trained(2, Update("b", 2, 0.7f))), 2));

        // The three other sites agree another model: the chain finalizes it and outvotes b.
        var final = site.Step(Votes(1, digest, agreed, "a", "c", "d"));

        Assert.False(Publishes(final, 2), "the update trained from the outvoted model was published");
        var fetch = Assert.Single(final.OfType<FetchBlob>(), f => f.Kind == BlobKind.Model);
        Assert.Equal(ModelDigest.Hex(agreed), fetch.Hash);
        var retrain = site.Step(new BlobArrived("a", BlobKind.Model, ModelDigest.Hex(agreed), Bytes(agreed)));
        var train = Assert.Single(retrain.OfType<TrainRound>());
        Assert.Equal(2, train.Round);
        Assert.Equal(agreed, train.Global);
        var fresh = Update("b", 2, 0.3f);
        var published = Assert.Single(site.Step(Trained(2, fresh)).OfType<SubmitToChain>().Select(s => s.Request).OfType<UpdatePublished>());
        Assert.Equal(fresh.Hash, published.UpdateHash);
    }

    [Fact]
    public void An_update_still_in_training_when_the_chain_finalizes_another_model_is_thrown_away_when_it_arrives()
    {
        float[] wrong = [9f, 9f, 9f, 9f];
        float[] agreed = [0.25f, 0.5f, -0.25f, 1f];
        var (site, _, digest) = VoteRoundOne(wrong);
        site.Step(Votes(1, digest, agreed, "a", "c", "d"));
        // The model arrives while the trainer still works on the round from the wrong one: no second training yet.
        Assert.DoesNotContain(site.Step(new BlobArrived("a", BlobKind.Model, ModelDigest.Hex(agreed), Bytes(agreed))), o => o is TrainRound);

        var arrived = site.Step(Trained(2, Update("b", 2, 0.7f)));

        Assert.False(Publishes(arrived, 2));
        Assert.Equal(agreed, Assert.Single(arrived.OfType<TrainRound>()).Global);
    }

    [Fact]
    public void A_final_models_score_waits_until_the_trainer_is_done_with_the_round_trained_ahead()
    {
        float[] aggregate = [0.25f, 0.5f, -0.25f, 1f];
        var (site, _, digest) = VoteRoundOne(aggregate);

        // Round 1 is final while round 2 trains ahead: a score sent now would wait behind the training and then hold
        // up whatever the site must do the moment its training ends.
        Assert.DoesNotContain(site.Step(Votes(1, digest, aggregate, "a", "c", "d")), o => o is ScoreModel);

        var trained = site.Step(Trained(2, Update("b", 2, 0.7f)));
        var score = Assert.Single(trained.OfType<ScoreModel>());
        Assert.Equal((1, aggregate), (score.Round, score.Parameters));
        Assert.True(trained.ToList().FindIndex(o => o is SubmitToChain { Request: UpdatePublished }) < trained.ToList().IndexOf(score),
            "the score went out before the update it waited for");
    }

    [Fact]
    public void Without_training_ahead_a_site_waits_for_the_final_model_and_there_is_no_training_ahead_after_the_last_round()
    {
        float[] aggregate = [0.25f, 0.5f, -0.25f, 1f];
        var (site, voteStep, digest) = VoteRoundOne(aggregate, trainAhead: false);
        Assert.DoesNotContain(voteStep, o => o is TrainRound);
        var final = site.Step(Votes(1, digest, aggregate, "a", "c", "d"));
        Assert.Equal(aggregate, Assert.Single(final.OfType<TrainRound>()).Global);

        // The last round: its vote starts no training.
        var (last, lastVote, _) = LastRoundVote();
        Assert.Equal(3, last.Chain.CurrentRound);
        Assert.DoesNotContain(lastVote, o => o is TrainRound);
    }

    /// <summary>Site b (training ahead) through rounds 1 and 2 to its vote of round 3, the last.</summary>
    private (TaskSite Site, IReadOnlyList<SiteOutput> VoteStep, string SetDigest) LastRoundVote()
    {
        float[] model = [0.25f, 0.5f, -0.25f, 1f];
        var (site, _, digest) = VoteRoundOne(model);
        site.Step(Trained(2, Update("b", 2, 0.7f)));
        site.Step(Votes(1, digest, model, "a", "c", "d"));
        IReadOnlyList<SiteOutput> vote = [];
        for (var round = 2; round <= 3; round++)
        {
            var updates = Sites.Select((s, i) => Update(s, round, 0.1f * (i + round))).ToList();
            // Round 2's own update is the one trained ahead above; round 3's is trained ahead from round 2's vote.
            var ownUpdate = round == 2 ? Update("b", 2, 0.7f) : updates[1];
            if (round == 3)
            {
                Assert.Contains(site.Step(Trained(3, ownUpdate)), o => o is SubmitToChain { Request: UpdatePublished { Round: 3 } });
            }
            var others = updates.Where(u => u.SiteId != "b").Select(u => new UpdatePublished(round, u.SiteId, u.Hash, u.SampleCount));
            site.Step(Block([.. others, new UpdatePublished(round, "b", ownUpdate.Hash, 100)]));
            foreach (var update in updates.Where(u => u.SiteId != "b"))
            {
                site.Step(new BlobArrived(update.SiteId, BlobKind.Update, update.Hash, update.Bytes));
            }
            float[] next = [round, round, round, round];
            vote = site.Step(new AggregateRecomputed(round, "agg-" + ModelDigest.Hex(next), ModelDigest.Hex(next), next));
            if (round == 2)
            {
                Assert.Contains(vote, o => o is TrainRound { Round: 3 });
                site.Step(Votes(round, site.Chain.CurrentClosed!.UpdateSetDigest, next, "a", "c", "d"));
            }
        }
        return (site, vote, site.Chain.CurrentClosed!.UpdateSetDigest);
    }
}
