namespace Swarm.Learning.Data.Partitioning;

/// <summary>Shared steps of the partitioners.</summary>
internal static class PartitionMath
{
    /// <summary>Checks the arguments every partitioner shares and fails with a message saying which is wrong.</summary>
    public static void Validate(int total, int sites, int minPerSite)
    {
        if (sites < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sites), sites, "the number of sites must be at least 1");
        }
        if (minPerSite < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(minPerSite), minPerSite, "the minimum per site cannot be negative");
        }
        if ((long)minPerSite * sites > total)
        {
            throw new ArgumentException(
                $"{sites} sites with at least {minPerSite} examples each need {(long)minPerSite * sites}, but the data set has {total}");
        }
    }

    /// <summary>Splits <paramref name="total"/> items in proportion to <paramref name="weights"/> (which sum
    /// to 1) by the largest-remainder method, so the counts sum exactly to the total; ties go to the lower
    /// index, which keeps the result deterministic.</summary>
    public static int[] Apportion(ReadOnlySpan<double> weights, int total)
    {
        var counts = new int[weights.Length];
        var remainders = new double[weights.Length];
        var assigned = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var exact = weights[i] * total;
            counts[i] = (int)Math.Floor(exact);
            remainders[i] = exact - counts[i];
            assigned += counts[i];
        }
        // Rounding can push the floors one past the total when the weights sum to a hair above 1.
        while (assigned > total)
        {
            counts[Array.IndexOf(counts, counts.Max())]--;
            assigned--;
        }
        var order = Enumerable.Range(0, weights.Length).OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        for (var k = 0; assigned < total; k = (k + 1) % order.Length)
        {
            counts[order[k]]++;
            assigned++;
        }
        return counts;
    }

    /// <summary>Cuts <paramref name="indices"/> into consecutive runs of the given sizes.</summary>
    public static int[][] Cut(ReadOnlySpan<int> indices, ReadOnlySpan<int> sizes)
    {
        var result = new int[sizes.Length][];
        var start = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            result[i] = indices.Slice(start, sizes[i]).ToArray();
            start += sizes[i];
        }
        return result;
    }
}
