namespace Swarm.Learning.Data.Partitioning;

/// <summary>Label-distribution skew: for each class, the share of its examples that each site receives is drawn
/// from a symmetric Dirichlet(α) over the sites (Hsu, Qi and Brown 2019, "Measuring the effects of non-identical
/// data distribution for federated visual classification"). Small α gives sites few classes; large α approaches
/// IID. When a minimum per site is set, the whole draw is repeated until every site has it (Li et al. 2022,
/// "Federated learning on non-IID data silos: an experimental study", do the same).</summary>
public sealed class DirichletLabelPartitioner : IPartitioner
{
    /// <summary>How many draws we try before reporting that the minimum cannot be met.</summary>
    public const int AttemptsMax = 1000;

    public DirichletLabelPartitioner(double alpha, int minPerSite = 0)
    {
        if (!(alpha > 0.0) || double.IsInfinity(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "the Dirichlet concentration α must be positive and finite");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(minPerSite);
        Alpha = alpha;
        MinPerSite = minPerSite;
    }

    public double Alpha { get; }

    public int MinPerSite { get; }

    public SitePartition Partition(ReadOnlySpan<long> labels, int classes, int sites, ulong seed)
    {
        PartitionMath.Validate(labels.Length, sites, MinPerSite);
        var byClass = GroupByClass(labels, classes);
        var random = new SeededRandom(seed);
        for (var attempt = 0; attempt < AttemptsMax; attempt++)
        {
            var assignment = Draw(byClass, sites, random);
            if (assignment.All(site => site.Count >= MinPerSite))
            {
                return new SitePartition([.. assignment.Select(site => site.ToArray())], labels.Length);
            }
        }
        throw new ArgumentException(
            $"Dirichlet(α={Alpha}) gave some of the {sites} sites fewer than {MinPerSite} examples in {AttemptsMax} "
            + "draws; raise α or lower the minimum per site");
    }

    private List<int>[] Draw(int[][] byClass, int sites, SeededRandom random)
    {
        var assignment = Enumerable.Range(0, sites).Select(_ => new List<int>()).ToArray();
        foreach (var members in byClass)
        {
            var shuffled = members.ToArray();
            random.Shuffle<int>(shuffled);
            var shares = random.NextDirichlet(Alpha, sites);
            var counts = PartitionMath.Apportion(shares, shuffled.Length);
            var parts = PartitionMath.Cut(shuffled, counts);
            for (var site = 0; site < sites; site++)
            {
                assignment[site].AddRange(parts[site]);
            }
        }
        // Interleave classes within each site so a site's data are not sorted by label.
        foreach (var site in assignment)
        {
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(site));
        }
        return assignment;
    }

    private static int[][] GroupByClass(ReadOnlySpan<long> labels, int classes)
    {
        var groups = Enumerable.Range(0, classes).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new ArgumentException($"label {labels[i]} of example {i} is outside 0..{classes - 1}", nameof(labels));
            }
            groups[labels[i]].Add(i);
        }
        return [.. groups.Select(g => g.ToArray())];
    }
}
