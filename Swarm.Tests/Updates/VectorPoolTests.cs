using Swarm.Learning.Updates;

namespace Swarm.Tests.Updates;

public sealed class VectorPoolTests
{
    [Fact]
    public void A_returned_array_is_rented_again_for_its_length_only()
    {
        var pool = new VectorPool<float>();
        var first = pool.Rent(1000);
        Assert.Equal(1000, first.Length);
        pool.Return(first);
        Assert.Equal(4000, pool.RetainedBytes);

        Assert.NotSame(first, pool.Rent(999));
        Assert.Same(first, pool.Rent(1000));
        Assert.Equal(0, pool.RetainedBytes);
        Assert.NotSame(first, pool.Rent(1000));
    }

    [Fact]
    public void The_pool_keeps_no_more_than_its_bound_and_gives_fresh_arrays_beyond_it()
    {
        var pool = new VectorPool<byte>();
        var length = (int)(VectorPool<byte>.RetainedBytesMax / 3);
        var arrays = Enumerable.Range(0, 4).Select(_ => pool.Rent(length)).ToList();
        arrays.ForEach(pool.Return);

        Assert.Equal(3L * length, pool.RetainedBytes);
        var again = Enumerable.Range(0, 4).Select(_ => pool.Rent(length)).ToList();
        Assert.Equal(3, again.Count(a => arrays.Any(b => ReferenceEquals(a, b))));
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void A_recomputed_round_is_the_same_whether_its_vectors_are_fresh_or_reused()
    {
        var global = new float[] { 0.5f, -1f, 2f, 0f };
        var updates = Enumerable.Range(0, 3).Select(s =>
        {
            var bytes = UpdateCodec.Encode(SparseUpdate.Dense([s, -s * 0.5f, 0.25f, s * s]));
            return new Swarm.Tasks.PublishedUpdate($"site-{s}", 10 + s, bytes, Swarm.Tasks.RoundAggregate.HashOf(bytes));
        }).ToList();
        var first = Swarm.Tasks.RoundAggregate.Compute(new Swarm.Learning.Aggregation.FedAvg(), global, updates);
        // The pool now holds the decoded vectors of the first computation, which the second reuses (and overwrites).
        var second = Swarm.Tasks.RoundAggregate.Compute(new Swarm.Learning.Aggregation.FedAvg(), global, updates);

        Assert.Equal(first.ModelHash, second.ModelHash);
        Assert.Equal(first.Parameters, second.Parameters);
        Assert.Equal(new[] { 0.5f + (11f + 24f) / 33f, -1f - (11f * 0.5f + 12f) / 33f, 2.25f, (11f + 48f) / 33f }, first.Parameters, new ToleranceComparer());
    }

    private sealed class ToleranceComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) < 1e-5f;

        public int GetHashCode(float obj) => 0;
    }
}
