namespace Swarm.Learning.Data.Partitioning;

/// <summary>Independent, identically distributed split: a seeded shuffle cut into equal parts (sizes differ by
/// at most one), so every site sees the global label mix up to sampling noise.</summary>
public sealed class IidPartitioner : IPartitioner
{
    public SitePartition Partition(ReadOnlySpan<long> labels, int classes, int sites, ulong seed)
    {
        PartitionMath.Validate(labels.Length, sites, 0);
        var random = new SeededRandom(seed);
        var order = random.Permutation(labels.Length);
        var sizes = new int[sites];
        for (var i = 0; i < sites; i++)
        {
            sizes[i] = (labels.Length / sites) + (i < labels.Length % sites ? 1 : 0);
        }
        return new SitePartition(PartitionMath.Cut(order, sizes), labels.Length);
    }
}
