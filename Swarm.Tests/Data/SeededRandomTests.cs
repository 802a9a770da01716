using Swarm.Learning.Data.Partitioning;

namespace Swarm.Tests.Data;

public sealed class SeededRandomTests
{
    [Fact]
    public void Sequence_for_a_seed_is_pinned_so_simulations_replay_on_any_runtime()
    {
        // xoshiro256** seeded through SplitMix64(42), computed by an independent Python transcription.
        var random = new SeededRandom(42);

        Assert.Equal(0x15780b2e0c2ec716UL, random.NextUInt64());
        Assert.Equal(0x6104d9866d113a7eUL, random.NextUInt64());
        Assert.Equal(0xae17533239e499a1UL, random.NextUInt64());
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void Gamma_samples_have_the_right_mean_and_variance(double shape)
    {
        var random = new SeededRandom(7);
        const int Samples = 40_000;
        double sum = 0, sumSquares = 0;
        for (var i = 0; i < Samples; i++)
        {
            var x = random.NextGamma(shape);
            Assert.True(x >= 0);
            sum += x;
            sumSquares += x * x;
        }
        var mean = sum / Samples;
        var variance = (sumSquares / Samples) - (mean * mean);

        // Gamma(k, 1) has mean k and variance k; the tolerance is several standard errors.
        Assert.InRange(mean, shape - (5 * Math.Sqrt(shape / Samples)), shape + (5 * Math.Sqrt(shape / Samples)));
        Assert.InRange(variance, shape * 0.9, shape * 1.1);
    }

    [Fact]
    public void Dirichlet_draw_sums_to_one()
    {
        var random = new SeededRandom(3);
        for (var i = 0; i < 100; i++)
        {
            var p = random.NextDirichlet(0.05, 8);
            Assert.Equal(1.0, p.Sum(), 12);
            Assert.All(p, x => Assert.InRange(x, 0.0, 1.0));
        }
    }

    [Fact]
    public void Bounded_integers_cover_the_range_evenly()
    {
        var random = new SeededRandom(11);
        var counts = new int[6];
        for (var i = 0; i < 60_000; i++)
        {
            counts[random.NextInt(6)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }
}
