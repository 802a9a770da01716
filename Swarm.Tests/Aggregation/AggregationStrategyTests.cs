using Swarm.Learning.Aggregation;
using Swarm.Learning.Updates;

namespace Swarm.Tests.Aggregation;

public sealed class AggregationStrategyTests
{
    private static SiteUpdate Site(string id, long samples, params float[] delta) =>
        new(id, samples, SparseUpdate.Dense(delta));

    private static SiteUpdate Partial(string id, long samples, int length, int[] indices, float[] values) =>
        new(id, samples, SparseUpdate.Create(length, indices, values));

    [Fact]
    public void FedAvg_is_the_sample_weighted_mean()
    {
        var result = new FedAvg().Aggregate([Site("a", 1, 1f, 10f), Site("b", 3, 5f, 2f)]);

        Assert.Equal([4f, 4f], result.Delta);
        Assert.Equal([new SiteWeight("a", 0.25), new SiteWeight("b", 0.75)], result.Weights);
    }

    [Fact]
    public void FedAvg_of_dense_updates_is_bit_identical_to_the_per_coordinate_walk_of_partial_updates()
    {
        // Every site shares every coordinate: the dense path. The same updates with one site's zero coordinates
        // left out take the per-coordinate walk, which counts an unshared coordinate as Δ = 0: the same sum.
        var random = new Random(7);
        const int Length = 5000;
        var sites = Enumerable.Range(0, 5).Select(s =>
        {
            var delta = new float[Length];
            for (var j = 0; j < Length; j++)
            {
                delta[j] = j % 97 == 0 && s == 2 ? 0f : (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 2)));
            }
            return (Id: "site-" + s, Samples: 17L + (31 * s), Delta: delta);
        }).ToList();
        var dense = new FedAvg().Aggregate([.. sites.Select(s => Site(s.Id, s.Samples, s.Delta))]);
        var partial = sites.Select(s =>
        {
            var shared = Enumerable.Range(0, Length).Where(j => s.Delta[j] != 0f).ToArray();
            return Partial(s.Id, s.Samples, Length, shared, [.. shared.Select(j => s.Delta[j])]);
        }).ToList();
        Assert.Single(partial, p => !p.Update.IsDense);
        var walked = new FedAvg().Aggregate(partial);

        Assert.Equal(ModelDigest.Hex(walked.Delta), ModelDigest.Hex(dense.Delta));
        Assert.Equal(walked.Weights, dense.Weights);
    }

    [Fact]
    public void FedAvg_of_partial_updates_counts_a_site_that_did_not_share_a_coordinate_as_zero_there()
    {
        var result = new FedAvg().Aggregate(
        [
            Partial("a", 1, 4, [0, 2], [2f, 6f]),
            Partial("b", 3, 4, [2], [4f]),
        ]);

        // Coordinate 0: only a (weight 1 of 4) shared 2; coordinate 2: (1·6 + 3·4) / 4. Renormalizing over the
        // sharers would give a's value alone to coordinate 0.
        Assert.Equal([0.5f, 0f, 4.5f, 0f], result.Delta);
    }

    [Fact]
    public void A_coordinate_shared_only_by_the_attacker_keeps_its_value_under_the_median_and_the_trimmed_mean()
    {
        // Five sites, f = 1: coordinate 0 is shared by all, coordinate 1 only by the attacker e, coordinate 2 by a and e.
        SiteUpdate[] updates =
        [
            Partial("a", 1, 3, [0, 2], [1f, 1f]),
            Partial("b", 1, 3, [0], [1f]),
            Partial("c", 1, 3, [0], [1f]),
            Partial("d", 1, 3, [0], [1f]),
            Partial("e", 1, 3, [0, 1, 2], [-100f, -100f, -100f]),
        ];
        foreach (var strategy in new IAggregationStrategy[] { new CoordinateMedian(byzantine: 1), new TrimmedMean(0.2, byzantine: 1) })
        {
            var result = strategy.Aggregate(updates);
            Assert.Equal([1f, 0f, 0f], result.Delta);
        }
        // With f = 0 (no minimum beyond one sharer) the attacker's lone value is taken: what the minimum prevents.
        Assert.Equal(-100f, new CoordinateMedian(byzantine: 0).Aggregate(updates).Delta[1]);
    }

    [Fact]
    public void Trimmed_mean_trims_at_least_f_per_side_even_when_the_fraction_trims_nothing()
    {
        // β = 0.2 of 4 values trims ⌊0.8⌋ = 0; with f = 1 one value per side goes, the poisoned one with it.
        var result = new TrimmedMean(0.2, byzantine: 1).Aggregate(
            [Site("a", 1, 2f), Site("b", 1, 3f), Site("c", 1, 4f), Site("d", 1, 1000f)]);

        Assert.Equal([3.5f], result.Delta);
    }

    [Fact]
    public void Krum_compares_and_averages_partial_updates_on_their_common_support_only()
    {
        // Every site shares coordinates 0 and 1; the attacker also puts a huge value on coordinate 3, which no
        // honest site shared, and is otherwise the closest to everyone.
        SiteUpdate[] updates =
        [
            Partial("a", 1, 4, [0, 1, 2], [1.0f, 1.0f, 5f]),
            Partial("b", 1, 4, [0, 1, 2], [1.2f, 0.8f, -5f]),
            Partial("c", 1, 4, [0, 1, 2], [0.8f, 1.2f, 5f]),
            Partial("d", 1, 4, [0, 1, 2], [1.1f, 0.9f, -5f]),
            Partial("e", 1, 4, [0, 1, 3], [1.0f, 1.0f, -1000f]),
        ];
        var result = new Krum(byzantine: 1).Aggregate(updates);

        Assert.Equal(0f, result.Delta[2]);
        Assert.Equal(0f, result.Delta[3]);
        Assert.Equal(1f, result.Delta[0]);
        // Zero-filled, the attacker (distance 1000² to all) would lose, but so would every honest update on
        // coordinate 2; on the common support the choice is made where all sites can be compared.
    }

    [Fact]
    public void Aggregate_bytes_do_not_depend_on_the_order_updates_arrived_in()
    {
        var rng = new Random(7);
        var updates = Enumerable.Range(0, 5)
            .Select(i => Site($"site-{i}", 10 + i, Enumerable.Range(0, 1000).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray()))
            .ToArray();
        foreach (var strategy in new IAggregationStrategy[] { new FedAvg(), new CoordinateMedian(), new TrimmedMean(0.2), new Krum(1) })
        {
            var forward = ModelDigest.Hex(strategy.Aggregate(updates).Delta);
            var backward = ModelDigest.Hex(strategy.Aggregate(updates.Reverse().ToArray()).Delta);
            Assert.Equal(forward, backward);
        }
    }

    [Fact]
    public void Median_takes_the_middle_value_or_the_mean_of_the_two_middle_values()
    {
        var odd = new CoordinateMedian().Aggregate([Site("a", 1, 1f), Site("b", 1, 9f), Site("c", 1, 3f)]);
        var even = new CoordinateMedian().Aggregate([Site("a", 1, 1f), Site("b", 1, 9f), Site("c", 1, 3f), Site("d", 1, 5f)]);

        Assert.Equal([3f], odd.Delta);
        Assert.Equal([4f], even.Delta);
    }

    [Fact]
    public void Negative_zero_aggregates_are_stored_as_positive_zero()
    {
        var result = new CoordinateMedian().Aggregate([Site("a", 1, -0f), Site("b", 1, -0f), Site("c", 1, -0f)]);

        Assert.False(float.IsNegative(result.Delta[0]));
    }

    [Fact]
    public void Trimmed_mean_drops_the_extremes_of_each_coordinate()
    {
        var result = new TrimmedMean(0.25).Aggregate(
            [Site("a", 1, -100f), Site("b", 1, 2f), Site("c", 1, 4f), Site("d", 1, 1000f)]);

        Assert.Equal([3f], result.Delta);
    }

    [Fact]
    public void A_poisoned_update_drags_FedAvg_away_but_not_the_median_nor_Krum()
    {
        float[] honest = [1f, -1f, 0.5f];
        var updates = new List<SiteUpdate>
        {
            Site("a", 100, 1.1f, -0.9f, 0.4f),
            Site("b", 100, 0.9f, -1.1f, 0.6f),
            Site("c", 100, 1.0f, -1.0f, 0.5f),
            Site("d", 100, 1.05f, -0.95f, 0.55f),
            Site("evil", 100, 1e6f, -1e6f, 1e6f),
        };

        static double Error(float[] delta, float[] target) => delta.Zip(target, (x, y) => Math.Abs(x - y)).Max();

        Assert.True(Error(new FedAvg().Aggregate(updates).Delta, honest) > 1e5);
        Assert.True(Error(new CoordinateMedian().Aggregate(updates).Delta, honest) < 0.2);
        var krum = new Krum(byzantine: 1).Aggregate(updates);
        Assert.True(Error(krum.Delta, honest) < 0.2);
        Assert.Equal(0, krum.Weights.Single(w => w.SiteId == "evil").Weight);
    }

    [Fact]
    public void Multi_krum_averages_the_best_scored_updates()
    {
        var updates = new[]
        {
            Site("a", 1, 1f), Site("b", 1, 1.2f), Site("c", 1, 0.8f), Site("d", 1, 1.1f), Site("e", 1, 50f),
        };

        var result = new Krum(byzantine: 1, selected: 3).Aggregate(updates);

        Assert.Equal(3, result.Weights.Count(w => w.Weight > 0));
        Assert.Equal(0, result.Weights.Single(w => w.SiteId == "e").Weight);
        Assert.InRange(result.Delta[0], 0.8f, 1.2f);
    }

    [Fact]
    public void Krum_refuses_too_few_updates_for_its_fault_bound()
    {
        var error = Assert.Throws<ArgumentException>(() => new Krum(1).Aggregate([Site("a", 1, 1f), Site("b", 1, 1f), Site("c", 1, 1f), Site("d", 1, 1f)]));

        Assert.Contains("at least 5", error.Message);
    }

    [Fact]
    public void Updates_of_different_lengths_are_rejected_naming_the_site()
    {
        var error = Assert.Throws<ArgumentException>(() => new FedAvg().Aggregate([Site("a", 1, 1f, 2f), Site("b", 1, 1f)]));

        Assert.Contains("'b'", error.Message);
    }

    [Fact]
    public void Two_updates_from_one_site_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new FedAvg().Aggregate([Site("a", 1, 1f), Site("a", 2, 1f)]));

        Assert.Contains("two updates", error.Message);
    }

    [Fact]
    public void Strategies_are_created_by_name_and_unknown_names_are_refused()
    {
        Assert.IsType<CoordinateMedian>(AggregationStrategies.Create("median"));
        Assert.IsType<Krum>(AggregationStrategies.Create("krum"));
        var error = Assert.Throws<ArgumentException>(() => AggregationStrategies.Create("mean-ish"));

        Assert.Contains("mean-ish", error.Message);
    }
}
