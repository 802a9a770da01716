using Swarm.Learning.DataVectors;

namespace Swarm.Tests.DataVectors;

public sealed class DataVectorPoolTests
{
    private static readonly float[] Pre = [1f, 2f, 3f];

    [Fact]
    public void A_vector_taken_from_another_pre_trained_model_is_refused_with_both_hashes()
    {
        var pool = new DataVectorPool(Pre);
        var other = DataVector.From("a", [1f, 2f, 4f], [1f, 2f, 5f], 5, 1);
        var outcome = pool.Publish(other);
        Assert.Equal(PublishStatus.Refused, outcome.Status);
        Assert.Contains("taken from pre-trained model", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains(pool.BaseHash[..12], outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void A_vector_of_the_wrong_length_is_refused_naming_both_lengths()
    {
        var pool = new DataVectorPool(Pre);
        var outcome = pool.Publish(new DataVector("a", pool.BaseHash, 5, 1, [0.1f, 0.2f]));
        Assert.False(outcome.Accepted);
        Assert.Contains("has 2 values, the pre-trained model 3 parameters", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Publishing_again_replaces_the_sites_earlier_vector_in_the_merge()
    {
        var pool = new DataVectorPool(Pre);
        Assert.Equal(PublishStatus.Added, pool.Publish(DataVector.From("a", Pre, [2f, 2f, 3f], 5, 1)).Status);
        Assert.Equal(PublishStatus.Added, pool.Publish(DataVector.From("b", Pre, [1f, 3f, 3f], 5, 1)).Status);
        Assert.Equal([2f, 3f, 3f], DataVectorMerge.Merge(Pre, pool, MergeRule.Sum));

        Assert.Equal(PublishStatus.Replaced, pool.Publish(DataVector.From("a", Pre, [1f, 2f, 7f], 8, 2)).Status);
        Assert.Equal(2, pool.Count);
        Assert.Equal(8, pool.Of("a")!.SampleCount);
        Assert.Equal([1f, 3f, 7f], DataVectorMerge.Merge(Pre, pool, MergeRule.Sum));
    }

    [Fact]
    public void A_stale_sequence_number_is_refused_and_the_later_vector_keeps_counting()
    {
        var pool = new DataVectorPool(Pre);
        pool.Publish(DataVector.From("a", Pre, [2f, 2f, 3f], 5, 3));
        var outcome = pool.Publish(DataVector.From("a", Pre, [9f, 9f, 9f], 5, 3));
        Assert.False(outcome.Accepted);
        Assert.Contains("sequence 3, not above", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal([1f, 0f, 0f], pool.Of("a")!.Delta);
    }

    [Fact]
    public void No_samples_or_a_value_that_is_not_finite_is_refused()
    {
        var pool = new DataVectorPool(Pre);
        Assert.Contains("0 training samples", pool.Publish(DataVector.From("a", Pre, [2f, 2f, 3f], 0, 1)).Reason,
            StringComparison.Ordinal);
        Assert.Contains("NaN at index 1", pool.Publish(new DataVector("a", pool.BaseHash, 4, 1, [0f, float.NaN, 0f])).Reason,
            StringComparison.Ordinal);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void Vectors_are_listed_in_ordinal_order_of_site_id()
    {
        var pool = new DataVectorPool(Pre);
        foreach (var site in new[] { "site-b", "Site-c", "site-a" })
        {
            pool.Publish(DataVector.From(site, Pre, [2f, 2f, 3f], 1, 1));
        }
        Assert.Equal(["Site-c", "site-a", "site-b"], pool.Vectors.Select(v => v.Site));
    }
}
