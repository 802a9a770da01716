using Swarm.Actors.Training;
using Swarm.Learning.Data;
using Swarm.Learning.Data.Partitioning;

namespace Swarm.Node.Simulation;

/// <summary>Cuts a data set into the sites' own data: the training split with the chosen partitioner, then the
/// validation and test splits with the same per-class site shares as the training partition, so each site's
/// local validation and test slices follow its own label mix (what personalization is measured on).</summary>
public static class SiteSplits
{
    public static SiteData[] Create(MedMnistSplits splits, SimulationOptions options)
    {
        var seed = (ulong)options.Seed;
        var partition = options.CreatePartitioner().Partition(splits.Train, options.Sites, seed);
        var train = partition.Apply(splits.Train);
        var shares = ClassShares(train, splits.Train.Classes);
        var validation = Follow(splits.Val, shares, seed + 1);
        var test = Follow(splits.Test, shares, seed + 2);
        return [.. Enumerable.Range(0, options.Sites).Select(s => new SiteData(train[s], validation[s], test[s]))];
    }

    /// <summary>The splits with the training split cut to its first <paramref name="limit"/> images (0: all).</summary>
    public static MedMnistSplits Limit(MedMnistSplits splits, int limit) =>
        limit <= 0 || limit >= splits.Train.Count
            ? splits
            : splits with { Train = splits.Train.Subset([.. Enumerable.Range(0, limit)]) };

    /// <summary>shares[c][s]: how many training examples of class c site s holds.</summary>
    private static double[][] ClassShares(ImageDataset[] sites, int classes)
    {
        var shares = Enumerable.Range(0, classes).Select(_ => new double[sites.Length]).ToArray();
        for (var s = 0; s < sites.Length; s++)
        {
            var counts = sites[s].ClassCounts();
            for (var c = 0; c < classes; c++)
            {
                shares[c][s] = counts[c];
            }
        }
        return shares;
    }

    private static ImageDataset[] Follow(ImageDataset split, double[][] shares, ulong seed)
    {
        var sites = shares[0].Length;
        var random = new SeededRandom(seed);
        var members = Enumerable.Range(0, sites).Select(_ => new List<int>()).ToArray();
        for (var c = 0; c < shares.Length; c++)
        {
            var indices = Enumerable.Range(0, split.Count).Where(i => split.Labels[i] == c).ToArray();
            random.Shuffle<int>(indices);
            var counts = Apportion(shares[c], indices.Length);
            var start = 0;
            for (var s = 0; s < sites; s++)
            {
                members[s].AddRange(indices.AsSpan(start, counts[s]).ToArray());
                start += counts[s];
            }
        }
        return [.. members.Select(m => split.Subset([.. m.Order()]))];
    }

    /// <summary>Largest-remainder apportionment of <paramref name="total"/> by <paramref name="weights"/> (equal
    /// shares when every weight is zero); ties go to the lower site.</summary>
    private static int[] Apportion(double[] weights, int total)
    {
        var sum = weights.Sum();
        var exact = weights.Select(w => sum > 0 ? w / sum * total : (double)total / weights.Length).ToArray();
        var counts = exact.Select(e => (int)Math.Floor(e)).ToArray();
        var left = total - counts.Sum();
        foreach (var s in Enumerable.Range(0, weights.Length).OrderByDescending(s => exact[s] - counts[s]).ThenBy(s => s).Take(left))
        {
            counts[s]++;
        }
        return counts;
    }
}
