using Swarm.Learning.Updates;

namespace Swarm.Tests.Aggregation;

public sealed class PartialUpdateTests
{
    [Fact]
    public void Top_fraction_keeps_the_largest_magnitudes_in_index_order()
    {
        float[] delta = [0.1f, -5f, 0.2f, 3f, -0.05f, 4f, 0f, 0.3f, -0.4f, 1f];

        var update = PartialUpdate.SelectTop(delta, 0.3);

        Assert.Equal([1, 3, 5], update.Indices);
        Assert.Equal([-5f, 3f, 4f], update.Values);
        Assert.Equal(10, update.Length);
    }

    [Fact]
    public void Ties_at_the_threshold_go_to_the_lower_indices()
    {
        var update = PartialUpdate.SelectTop([1f, -1f, 1f, 1f], 0.5);

        Assert.Equal([0, 1], update.Indices);
    }

    [Fact]
    public void Shared_count_is_the_ceiling_of_theta_times_n_and_at_least_one()
    {
        var rng = new Random(3);
        var delta = Enumerable.Range(0, 1001).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();

        Assert.Equal(101, PartialUpdate.SelectTop(delta, 0.1).Count);
        Assert.Equal(1, PartialUpdate.SelectTop(delta, 1e-9).Count);
        Assert.True(PartialUpdate.SelectTop(delta, 1.0).IsDense);
    }

    [Fact]
    public void Every_kept_magnitude_is_at_least_every_dropped_one()
    {
        var rng = new Random(11);
        var delta = Enumerable.Range(0, 5000).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

        var update = PartialUpdate.SelectTop(delta, 0.05);
        var kept = update.Indices.ToHashSet();
        var smallestKept = update.Values.Min(MathF.Abs);
        var largestDropped = delta.Where((_, i) => !kept.Contains(i)).Max(MathF.Abs);

        Assert.True(smallestKept >= largestDropped);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Fractions_outside_zero_to_one_are_refused(double theta)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PartialUpdate.SelectTop([1f, 2f], theta));
    }

    [Fact]
    public void A_non_finite_delta_is_refused_naming_the_coordinate()
    {
        var error = Assert.Throws<InvalidUpdateException>(() => PartialUpdate.SelectTop([1f, float.NaN, 2f], 0.5));

        Assert.Contains("coordinate 1", error.Message);
    }
}
