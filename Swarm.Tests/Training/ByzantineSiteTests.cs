using Swarm.Actors.Training;
using Swarm.Learning.Updates;
using Swarm.Tasks;

namespace Swarm.Tests.Training;

/// <summary>The Byzantine site behaviours that tests and simulations use: what exactly such a site publishes
/// and answers.</summary>
public sealed class ByzantineSiteTests
{
    private static SiteTrainer Site(int index, SiteBehavior behavior) =>
        new($"site-{index}", index, SyntheticSites.Model(), SyntheticSites.Data(index),
            SyntheticSites.Settings() with { Behavior = behavior });

    [Fact]
    public void A_poisoned_site_publishes_its_honest_update_times_the_scale()
    {
        var global = SyntheticSites.InitialModel();
        var ins = new TrainIns(1, global, 1, 0, 1, 1.0);
        // Same index, data, model and seed: both train identically, only what they publish differs.
        using var honest = Site(0, SiteBehavior.Honest);
        using var poisoned = Site(0, new SiteBehavior.PoisonedUpdate(-10));

        var clean = UpdateCodec.Decode(honest.Train(ins).Update.Bytes).ToDense();
        var bad = UpdateCodec.Decode(poisoned.Train(ins).Update.Bytes).ToDense();

        Assert.Contains(clean, v => v != 0);
        for (var i = 0; i < clean.Length; i++)
        {
            Assert.Equal(-10f * clean[i], bad[i], 1e-6f * Math.Max(1f, Math.Abs(bad[i])));
        }
    }

    [Fact]
    public void A_non_finite_poisoning_scale_and_a_zero_or_non_finite_tampering_shift_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SiteBehavior.PoisonedUpdate(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SiteBehavior.PoisonedUpdate(double.NegativeInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SiteBehavior.WrongAggregateHash { Shift = 0 });
    }

    [Fact]
    public void A_site_with_wrong_aggregate_hash_answers_hashes_different_from_the_honest_sites()
    {
        var global = SyntheticSites.InitialModel();
        using var first = Site(0, SiteBehavior.Honest);
        using var second = Site(1, SiteBehavior.Honest);
        using var liar = Site(2, new SiteBehavior.WrongAggregateHash());
        var ins = new TrainIns(1, global, 1, 0, 1, 0.1);
        PublishedUpdate[] updates = [first.Train(ins).Update, second.Train(ins).Update, liar.Train(ins).Update];
        var round = new AggregateIns(1, global, updates);

        var votes = new[] { first, second, liar }.Select(site => site.Verify(round)).ToArray();

        var expected = RoundAggregate.Compute(SyntheticSites.Settings().Strategy, global, updates);
        Assert.All(votes, v => Assert.Null(v.Error));
        Assert.All(votes[..2], v => Assert.Equal((expected.AggregateHash, expected.ModelHash), (v.AggregateHash, v.ModelHash)));
        var lie = votes[2];
        Assert.NotEqual(expected.AggregateHash, lie.AggregateHash);
        Assert.NotEqual(expected.ModelHash, lie.ModelHash);
        // The lie is self-consistent (its hash is the hash of the model it claims), so only recomputation exposes it.
        Assert.Equal(ModelDigest.Hex(lie.Parameters!), lie.ModelHash);
        Assert.Equal(expected.Parameters[0] + 1f, lie.Parameters![0]);
        Assert.Equal(expected.Parameters[1..], lie.Parameters[1..]);
    }
}
