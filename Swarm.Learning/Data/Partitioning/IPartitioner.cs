namespace Swarm.Learning.Data.Partitioning;

/// <summary>Splits a labelled data set over simulated sites. The same labels, site count and seed always give
/// the same partition, on every machine.</summary>
public interface IPartitioner
{
    /// <summary>Partitions the examples whose labels are <paramref name="labels"/> (each in
    /// 0..<paramref name="classes"/>-1) over <paramref name="sites"/> sites.</summary>
    SitePartition Partition(ReadOnlySpan<long> labels, int classes, int sites, ulong seed);
}
