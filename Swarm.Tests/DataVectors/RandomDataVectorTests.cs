using Swarm.Learning.DataVectors;
using Swarm.Learning.Training;

namespace Swarm.Tests.DataVectors;

public sealed class RandomDataVectorTests
{
    private static readonly ParameterLayout Layout = new(
    [
        new ParameterEntry("a", [100], 0, 100, true),
        new ParameterEntry("b", [50], 100, 50, true),
    ], 150);

    [Fact]
    public void A_random_vector_has_each_layers_norm_of_the_real_one_in_another_direction()
    {
        var pre = new float[150];
        var fine = Enumerable.Range(0, 150).Select(i => i < 100 ? 0.01f * i : -2f).ToArray();
        var real = DataVector.From("s", pre, fine, 7, 2);
        var random = RandomDataVector.Like(real, Layout, seed: 9);

        foreach (var entry in Layout.Entries)
        {
            Assert.Equal(RandomDataVector.Norm(real.Delta, entry), RandomDataVector.Norm(random.Delta, entry), 3);
        }
        var cosine = real.Delta.Zip(random.Delta, (x, y) => (double)x * y).Sum()
            / (RandomDataVector.Norm(real.Delta, new ParameterEntry("all", [150], 0, 150, true))
               * RandomDataVector.Norm(random.Delta, new ParameterEntry("all", [150], 0, 150, true)));
        Assert.True(Math.Abs(cosine) < 0.5, $"cosine {cosine}");
        Assert.Equal((real.Site, real.BaseHash, real.SampleCount, real.Sequence),
            (random.Site, random.BaseHash, random.SampleCount, random.Sequence));
        Assert.Equal(random.Delta, RandomDataVector.Like(real, Layout, seed: 9).Delta);
        Assert.NotEqual(random.Delta, RandomDataVector.Like(real, Layout, seed: 10).Delta);
    }
}
