using Swarm.Learning.Data.Partitioning;

namespace Swarm.Tests.Data;

public sealed class HospitalPartitionerTests
{
    /// <summary>4708 binary labels, 26 % of class 0, as PneumoniaMNIST's training split.</summary>
    private static readonly long[] Labels = [.. Enumerable.Range(0, 4708).Select(i => i % 100 < 26 ? 0L : 1L)];

    [Fact]
    public void Site_sizes_follow_the_power_law_so_the_last_site_is_data_poor()
    {
        var partitioner = new HospitalPartitioner(1.5, 0.3);
        var sizes = partitioner.Partition(Labels, 2, 4, seed: 1).Sizes();

        // Shares ∝ 1, 2^-1.5, 3^-1.5, 4^-1.5: 59.8 %, 21.1 %, 11.5 %, 7.5 %.
        var expected = Enumerable.Range(0, 4).Select(s => partitioner.SizeShare(s, 4) * Labels.Length).ToArray();
        Assert.Equal(0.0748, partitioner.SizeShare(3, 4), 4);
        for (var s = 0; s < 4; s++)
        {
            Assert.InRange(sizes[s], expected[s] - 3, expected[s] + 3);
        }
        Assert.True(sizes[3] < sizes[0] / 7);
    }

    [Fact]
    public void Label_mixes_differ_between_sites_but_every_site_sees_every_class()
    {
        var partition = new HospitalPartitioner(1.5, 0.3, minPerClass: 5).Partition(Labels, 2, 4, seed: 1);

        var prevalence = partition.Sites.Select(site => site.Count(i => Labels[i] == 0) / (double)site.Length).ToArray();
        Assert.All(partition.Sites, site => Assert.True(site.Count(i => Labels[i] == 0) >= 5 && site.Count(i => Labels[i] == 1) >= 5));
        // A label skew: the class-0 share is not 26 % everywhere.
        Assert.True(prevalence.Max() - prevalence.Min() > 0.1, string.Join(", ", prevalence));
    }

    [Fact]
    public void Without_size_skew_and_with_a_large_alpha_sites_are_nearly_equal_and_alike()
    {
        var partition = new HospitalPartitioner(0, 1000).Partition(Labels, 2, 4, seed: 3);

        Assert.All(partition.Sizes(), size => Assert.InRange(size, 1177 - 3, 1177 + 3));
        Assert.All(partition.Sites, site => Assert.InRange(site.Count(i => Labels[i] == 0) / (double)site.Length, 0.23, 0.29));
    }
}
