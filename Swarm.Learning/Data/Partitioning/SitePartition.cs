namespace Swarm.Learning.Data.Partitioning;

/// <summary>A split of a data set's indices over sites: every index appears at exactly one site.</summary>
public sealed class SitePartition
{
    public SitePartition(IReadOnlyList<int[]> sites, int total)
    {
        var seen = new bool[total];
        var count = 0;
        foreach (var site in sites)
        {
            foreach (var index in site)
            {
                // An index twice or out of range means a partitioner bug, not bad input.
                if ((uint)index >= (uint)total || seen[index])
                {
                    throw new InvalidOperationException($"partition invariant broken: index {index} out of range or repeated");
                }
                seen[index] = true;
                count++;
            }
        }
        if (count != total)
        {
            throw new InvalidOperationException($"partition invariant broken: {count} of {total} indices assigned");
        }
        Sites = sites;
        Total = total;
    }

    /// <summary>The indices held by each site, in the order the site should see them.</summary>
    public IReadOnlyList<int[]> Sites { get; }

    /// <summary>The size of the partitioned data set.</summary>
    public int Total { get; }

    /// <summary>The number of examples at each site.</summary>
    public int[] Sizes() => [.. Sites.Select(site => site.Length)];

    /// <summary>The per-site data sets this partition makes of <paramref name="data"/>.</summary>
    public ImageDataset[] Apply(ImageDataset data)
    {
        if (data.Count != Total)
        {
            throw new ArgumentException($"{data.Name} has {data.Count} examples; this partition splits {Total}", nameof(data));
        }
        return [.. Sites.Select(data.Subset)];
    }
}
