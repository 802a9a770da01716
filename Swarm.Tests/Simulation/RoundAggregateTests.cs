using Swarm.Learning.Aggregation;
using Swarm.Learning.Training;
using Swarm.Learning.Updates;
using Swarm.Tasks;

namespace Swarm.Tests.Simulation;

public sealed class RoundAggregateTests
{
    private static readonly float[] Global = [1f, -2f, 0.5f, 3f, 0f, 7f];

    internal static PublishedUpdate Publish(string site, long samples, float[] delta, double theta = 1.0)
    {
        var bytes = UpdateCodec.Encode(PartialUpdate.SelectTop(delta, theta));
        return new PublishedUpdate(site, samples, bytes, RoundAggregate.HashOf(bytes));
    }

    [Fact]
    public void Fedavg_with_full_updates_moves_the_model_by_the_sample_weighted_mean_delta()
    {
        float[] a = [0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f];
        float[] b = [-0.5f, 0.25f, 0.125f, 1f, -1f, 2f];
        var aggregate = RoundAggregate.Compute(new FedAvg(), Global, [Publish("site-0", 100, a), Publish("site-1", 300, b)]);

        for (var i = 0; i < Global.Length; i++)
        {
            var expected = (100.0 * a[i] + 300.0 * b[i]) / 400.0;
            Assert.Equal(expected, aggregate.Delta[i], 6);
            Assert.Equal(Global[i] + expected, aggregate.Parameters[i], 6);
        }
        Assert.Equal(ModelDigest.Hex(aggregate.Parameters), aggregate.ModelHash);
        Assert.Equal(ModelDigest.Hex(aggregate.Delta), aggregate.AggregateHash);
    }

    [Fact]
    public void With_theta_below_one_only_the_shared_coordinates_move()
    {
        // θ = 1/3 keeps two of six coordinates per site: site-0 shares 1 and 4, site-1 shares 0 and 4.
        float[] a = [0.01f, 0.9f, 0.02f, -0.03f, -0.8f, 0.04f];
        float[] b = [-0.7f, 0.01f, 0.02f, 0.03f, 0.6f, -0.05f];
        var aggregate = RoundAggregate.Compute(new FedAvg(), Global,
            [Publish("site-0", 10, a, 1.0 / 3), Publish("site-1", 10, b, 1.0 / 3)]);

        int[] moved = [0, 1, 4];
        for (var i = 0; i < Global.Length; i++)
        {
            if (moved.Contains(i))
            {
                Assert.NotEqual(Global[i], aggregate.Parameters[i]);
            }
            else
            {
                Assert.Equal(Global[i], aggregate.Parameters[i]);
            }
        }
        // Every included site counts in the denominator: a coordinate only one of the two (equal-weight) sites
        // shared moves by half its value; one both shared by their mean.
        Assert.Equal(Global[1] + (0.9f / 2), aggregate.Parameters[1], 6);
        Assert.Equal(Global[4] + (-0.8f + 0.6f) / 2, aggregate.Parameters[4], 6);
    }

    [Fact]
    public void Update_bytes_that_do_not_match_their_hash_are_refused()
    {
        var honest = Publish("site-0", 10, [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f]);
        var forged = honest with { Bytes = Publish("site-0", 10, [9f, 9f, 9f, 9f, 9f, 9f]).Bytes };

        var error = Assert.Throws<InvalidUpdateException>(() => RoundAggregate.Compute(new FedAvg(), Global, [forged]));
        Assert.Contains("site-0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_strategy_gives_the_same_hash_whatever_the_order_the_updates_arrive_in()
    {
        var updates = Enumerable.Range(0, 5)
            .Select(s => Publish($"site-{s}", 10 + s, [.. Enumerable.Range(0, Global.Length).Select(i => (float)Math.Sin(s * 7 + i))]))
            .ToArray();
        foreach (var name in AggregationStrategies.Names)
        {
            var strategy = AggregationStrategies.Create(name);
            var forward = RoundAggregate.Compute(strategy, Global, updates);
            var backward = RoundAggregate.Compute(strategy, Global, [.. updates.Reverse()]);
            Assert.Equal(forward.ModelHash, backward.ModelHash);
            Assert.Equal(forward.AggregateHash, backward.AggregateHash);
        }
    }

    [Fact]
    public void An_update_over_theta_is_refused_and_left_out_while_the_others_are_aggregated()
    {
        var layout = new ParameterLayout([new ParameterEntry("w", [6], 0, 6, Trainable: true)], 6);
        var sharing = new ShareSelector(layout, LocalLayers.Mask(layout, []), new SharingOptions(1.0 / 3));
        float[] honest = [0.01f, 0.9f, 0.02f, -0.03f, -0.8f, 0.04f];
        float[] greedy = [5f, 5f, 5f, 5f, 5f, 5f];
        // The attacker publishes its whole (dense) Δ where θ = 1/3 allows two coordinates.
        var updates = new[] { Publish("site-0", 10, honest, 1.0 / 3), Publish("site-1", 10, honest, 1.0 / 3), Publish("site-2", 10, greedy) };

        var aggregate = RoundAggregate.Compute(new FedAvg(), Global, updates, sharing);

        var refused = Assert.Single(aggregate.Refused);
        Assert.Equal("site-2", refused.SiteId);
        Assert.Contains("shares 6 coordinates", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("at most 2", refused.Reason, StringComparison.Ordinal);
        var withoutAttacker = RoundAggregate.Compute(new FedAvg(), Global, updates[..2], sharing);
        Assert.Equal(withoutAttacker.ModelHash, aggregate.ModelHash);
        // Without the check the attacker's coordinates would move the model.
        Assert.NotEqual(withoutAttacker.ModelHash, RoundAggregate.Compute(new FedAvg(), Global, updates).ModelHash);
    }

    [Fact]
    public void Updates_that_do_not_decode_or_do_not_fit_are_refused_not_thrown()
    {
        var good = Publish("site-0", 10, [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f]);
        byte[] junk = [1, 2, 3];
        var undecodable = new PublishedUpdate("site-1", 10, junk, RoundAggregate.HashOf(junk));
        var tooLong = Publish("site-2", 10, [1f, 1f, 1f, 1f, 1f, 1f, 1f]);

        var aggregate = RoundAggregate.Compute(new FedAvg(), Global, [good, undecodable, tooLong]);

        Assert.Equal(["site-1", "site-2"], aggregate.Refused.Select(r => r.SiteId));
        Assert.Equal(RoundAggregate.Compute(new FedAvg(), Global, [good]).ModelHash, aggregate.ModelHash);
        var none = RoundAggregate.Compute(new FedAvg(), Global, [undecodable]);
        Assert.Equal(Global, none.Parameters);
    }
}
