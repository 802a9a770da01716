using Swarm.Learning.DataVectors;
using Swarm.Learning.Updates;

namespace Swarm.Tests.DataVectors;

public sealed class DataVectorMergeTests
{
    private static readonly float[] Pre = [1f, 2f, 3f, 4f];

    private static DataVector Vector(string site, long samples, long seq, params float[] finetuned) =>
        DataVector.From(site, Pre, finetuned, samples, seq);

    private static float[] RandomModel(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5) * 3f)];
    }

    [Fact]
    public void A_data_vector_is_the_fine_tuned_model_minus_the_pre_trained_one_and_names_its_base()
    {
        var v = Vector("a", 10, 1, 1.5f, 2f, 2f, 4.25f);
        Assert.Equal([0.5f, 0f, -1f, 0.25f], v.Delta);
        Assert.Equal(ModelDigest.Hex(Pre), v.BaseHash);
        Assert.Equal(ModelDigest.Hex(v.Delta), v.Hash);
    }

    [Fact]
    public void Sum_mean_and_sample_weighted_rules_scale_the_vectors_as_documented()
    {
        var pool = new DataVectorPool(Pre);
        Assert.True(pool.Publish(Vector("a", 30, 1, 2f, 2f, 3f, 4f)).Accepted);
        Assert.True(pool.Publish(Vector("b", 10, 1, 1f, 6f, 3f, 4f)).Accepted);

        Assert.Equal([2f, 6f, 3f, 4f], DataVectorMerge.Merge(Pre, pool, MergeRule.Sum));
        Assert.Equal([1.5f, 4f, 3f, 4f], DataVectorMerge.Merge(Pre, pool, MergeRule.Mean));
        Assert.Equal([1.75f, 3f, 3f, 4f], DataVectorMerge.Merge(Pre, pool, MergeRule.SampleWeighted));
        Assert.Equal([1.25f, 3f, 3f, 4f], DataVectorMerge.Merge(Pre, pool, MergeRule.Validated, lambda: 0.25));
        Assert.Equal([0.75f, 0.25f], DataVectorMerge.Coefficients(pool.Vectors, MergeRule.SampleWeighted));
    }

    [Fact]
    public void The_merge_is_the_same_bits_whatever_order_the_sites_published_in()
    {
        var pre = RandomModel(5000, 1);
        var vectors = Enumerable.Range(0, 5)
            .Select(j => DataVector.From($"site-{j}", pre, RandomModel(5000, 10 + j), 100 + (37 * j), 1)).ToList();
        var hashes = new HashSet<string>();
        foreach (var seed in new[] { 1, 2, 3, 4 })
        {
            var pool = new DataVectorPool(pre);
            foreach (var v in vectors.Shuffled(seed))
            {
                Assert.True(pool.Publish(v).Accepted);
            }
            hashes.Add(ModelDigest.Hex(DataVectorMerge.Merge(pre, pool, MergeRule.SampleWeighted)));
        }
        Assert.Single(hashes);

        // The order is part of the definition: summing in another order rounds differently somewhere.
        var reversed = vectors.AsEnumerable().Reverse().ToList();
        var coefficients = DataVectorMerge.Coefficients(reversed, MergeRule.SampleWeighted);
        Assert.NotEqual(hashes.Single(), ModelDigest.Hex(DataVectorMerge.Merge(pre, reversed, coefficients)));
    }

    [Fact]
    public void Only_the_merged_prefix_moves_and_the_buffers_stay_at_the_pre_trained_values()
    {
        var pool = new DataVectorPool(Pre);
        pool.Publish(Vector("a", 1, 1, 2f, 3f, 9f, 9f));
        Assert.Equal([2f, 3f, 3f, 4f], DataVectorMerge.Merge(Pre, pool, MergeRule.Sum, mergedLength: 2));
    }

    [Fact]
    public void With_no_vector_the_merge_is_the_pre_trained_model()
    {
        Assert.Equal(Pre, DataVectorMerge.Merge(Pre, new DataVectorPool(Pre), MergeRule.Mean));
    }

    [Fact]
    public void Merging_over_another_pre_trained_model_than_the_pool_is_refused()
    {
        var pool = new DataVectorPool(Pre);
        var error = Assert.Throws<ArgumentException>(() => DataVectorMerge.Merge([1f, 2f, 3f, 5f], pool, MergeRule.Sum));
        Assert.Contains("not the pool's pre-trained model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_or_infinite_lambda_is_refused()
    {
        var pool = new DataVectorPool(Pre);
        pool.Publish(Vector("a", 1, 1, 2f, 3f, 9f, 9f));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataVectorMerge.Merge(Pre, pool, MergeRule.Validated, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataVectorMerge.Merge(Pre, pool, MergeRule.Validated, double.NaN));
    }

    [Fact]
    public void Merge_rule_names_round_trip_and_unknown_names_are_null()
    {
        foreach (var rule in Enum.GetValues<MergeRule>())
        {
            Assert.Equal(rule, MergeRules.Parse(rule.Name()));
        }
        Assert.Null(MergeRules.Parse("median"));
    }
}

internal static class ShuffleExtensions
{
    public static List<T> Shuffled<T>(this List<T> items, int seed)
    {
        var random = new Random(seed);
        var copy = items.ToList();
        for (var i = copy.Count - 1; i > 0; i--)
        {
            var k = random.Next(i + 1);
            (copy[i], copy[k]) = (copy[k], copy[i]);
        }
        return copy;
    }
}
