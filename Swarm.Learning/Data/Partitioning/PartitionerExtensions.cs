namespace Swarm.Learning.Data.Partitioning;

/// <summary>Conveniences over <see cref="IPartitioner"/>.</summary>
public static class PartitionerExtensions
{
    /// <summary>Partitions a data set's examples over <paramref name="sites"/> sites.</summary>
    public static SitePartition Partition(this IPartitioner partitioner, ImageDataset data, int sites, ulong seed) =>
        partitioner.Partition(data.Labels, data.Classes, sites, seed);
}
