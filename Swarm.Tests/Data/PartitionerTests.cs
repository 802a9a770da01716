using Swarm.Learning.Data;
using Swarm.Learning.Data.Partitioning;

namespace Swarm.Tests.Data;

public sealed class PartitionerTests
{
    private const int Classes = 4;

    /// <summary>3000 labels with an unequal class mix (40/30/20/10 %), in a fixed interleaved order.</summary>
    private static readonly long[] Labels = [.. Enumerable.Range(0, 3000).Select(i => (i % 10) switch
    {
        < 4 => 0L,
        < 7 => 1L,
        < 9 => 2L,
        _ => 3L,
    })];

    public static TheoryData<string> PartitionerNames => ["iid", "dirichlet", "quantity-dirichlet", "quantity-power", "hospital"];

    private static IPartitioner Make(string name) => name switch
    {
        "iid" => new IidPartitioner(),
        "dirichlet" => new DirichletLabelPartitioner(0.5, minPerSite: 10),
        "quantity-dirichlet" => QuantitySkewPartitioner.Dirichlet(1.0, minPerSite: 10),
        "quantity-power" => QuantitySkewPartitioner.PowerLaw(1.2, minPerSite: 10),
        "hospital" => new HospitalPartitioner(1.5, 0.5, minPerClass: 10),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(PartitionerNames))]
    public void Every_index_is_used_exactly_once_and_sizes_sum_to_the_total(string name)
    {
        var partition = Make(name).Partition(Labels, Classes, 7, seed: 1);

        Assert.Equal(7, partition.Sites.Count);
        Assert.Equal(Labels.Length, partition.Sizes().Sum());
        Assert.Equal(Enumerable.Range(0, Labels.Length), partition.Sites.SelectMany(s => s).Order());
        Assert.All(partition.Sizes(), size => Assert.True(size >= (name == "iid" ? 428 : 10)));
    }

    [Theory]
    [MemberData(nameof(PartitionerNames))]
    public void One_seed_gives_the_same_partition_and_another_seed_a_different_one(string name)
    {
        var first = Make(name).Partition(Labels, Classes, 5, seed: 99);
        var again = Make(name).Partition(Labels, Classes, 5, seed: 99);
        var other = Make(name).Partition(Labels, Classes, 5, seed: 100);

        Assert.Equal(first.Sites, again.Sites);
        Assert.NotEqual(first.Sites, other.Sites);
    }

    [Fact]
    public void Iid_sites_have_equal_sizes_and_the_global_label_mix()
    {
        var partition = new IidPartitioner().Partition(Labels, Classes, 6, seed: 5);

        Assert.All(partition.Sizes(), size => Assert.Equal(500, size));
        Assert.All(partition.Sites, site => Assert.True(DistanceFromGlobal(site) < 0.06, $"TV {DistanceFromGlobal(site)}"));
    }

    [Fact]
    public void Iid_sizes_differ_by_at_most_one_when_the_total_does_not_divide()
    {
        var sizes = new IidPartitioner().Partition(Labels, Classes, 7, seed: 5).Sizes();

        Assert.True(sizes.Max() - sizes.Min() <= 1);
    }

    [Fact]
    public void Small_dirichlet_alpha_skews_labels_and_large_alpha_does_not()
    {
        var skewed = new DirichletLabelPartitioner(0.1, minPerSite: 1).Partition(Labels, Classes, 10, seed: 3);
        var mixed = new DirichletLabelPartitioner(1000).Partition(Labels, Classes, 10, seed: 3);

        var skewedDistance = skewed.Sites.Average(DistanceFromGlobal);
        var mixedDistance = mixed.Sites.Average(DistanceFromGlobal);

        Assert.True(skewedDistance > 0.4, $"α=0.1 mean total-variation distance {skewedDistance}");
        Assert.True(mixedDistance < 0.05, $"α=1000 mean total-variation distance {mixedDistance}");
    }

    [Fact]
    public void Dirichlet_minimum_per_site_is_respected()
    {
        var partition = new DirichletLabelPartitioner(0.1, minPerSite: 100).Partition(Labels, Classes, 8, seed: 21);

        Assert.All(partition.Sizes(), size => Assert.True(size >= 100, $"site of {size}"));
    }

    [Fact]
    public void Impossible_minimum_is_a_clear_error()
    {
        var partitioner = QuantitySkewPartitioner.Dirichlet(1.0, minPerSite: 1000);

        var error = Assert.Throws<ArgumentException>(() => partitioner.Partition(Labels, Classes, 4, seed: 1));

        Assert.Contains("need 4000, but the data set has 3000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantity_skew_gives_unequal_sizes_with_the_global_label_mix()
    {
        var partition = QuantitySkewPartitioner.Dirichlet(0.5, minPerSite: 20).Partition(Labels, Classes, 6, seed: 8);
        var sizes = partition.Sizes();

        Assert.True(sizes.Max() > 3 * sizes.Min(), $"sizes {string.Join(",", sizes)}");
        Assert.All(sizes, size => Assert.True(size >= 20));
        var largest = partition.Sites[Array.IndexOf(sizes, sizes.Max())];
        Assert.True(DistanceFromGlobal(largest) < 0.06);
    }

    [Fact]
    public void Power_law_sizes_follow_the_rank_weights()
    {
        var sizes = QuantitySkewPartitioner.PowerLaw(1.0).Partition(Labels, Classes, 3, seed: 4).Sizes();

        // Weights 1, 1/2, 1/3 of 3000: 1636.36, 818.18, 545.45; the one left over goes to the largest remainder.
        Assert.Equal([546, 818, 1636], sizes.Order());
    }

    [Fact]
    public void Partition_applies_to_a_data_set()
    {
        var data = new ImageDataset("d", 1, 1, 1, 2, [0f, 1f, 2f, 3f, 4f], [0, 1, 0, 1, 0]);
        var partition = new IidPartitioner().Partition(data, 2, seed: 2);

        var sites = partition.Apply(data);

        Assert.Equal(partition.Sizes(), sites.Select(s => s.Count));
        Assert.Equal(partition.Sites[0].Select(i => (float)i), sites[0].Images);
    }

    /// <summary>Total-variation distance between a site's label mix and the global one.</summary>
    private static double DistanceFromGlobal(int[] site)
    {
        var global = new[] { 0.4, 0.3, 0.2, 0.1 };
        var local = new double[Classes];
        foreach (var index in site)
        {
            local[Labels[index]] += 1.0 / site.Length;
        }
        return 0.5 * global.Zip(local, (g, l) => Math.Abs(g - l)).Sum();
    }
}
