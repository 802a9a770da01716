namespace Swarm.Learning.Data.Partitioning;

/// <summary>
/// A split that looks like hospitals rather than like a shuffled deck: quantity skew and label skew together.
/// Site s holds a share of the data proportional to (s + 1)^−γ (site-0 a large referral centre, the last site a
/// small, data-poor clinic), and its label mix is tilted by a per-class Dirichlet(α) draw over the sites, as in
/// Hsu, Qi and Brown 2019. The two are combined by iterative proportional fitting (Deming and Stephan 1940): the
/// site × class table starts from the Dirichlet tilts and is rescaled until its rows are the site sizes and its
/// columns the class counts, which keeps the tilt's odds ratios. Every site then holds at least
/// <see cref="MinPerClass"/> examples of every class (when the class has enough), as every hospital sees some
/// patients of each kind.
/// </summary>
public sealed class HospitalPartitioner : IPartitioner
{
    /// <summary>Rescaling passes of the proportional fitting; it converges long before on tables this small.</summary>
    private const int FittingPassesMax = 500;

    /// <summary>Added to each Dirichlet share so that no site's odds of a class are zero, which fitting cannot undo.</summary>
    private const double TiltFloor = 0.02;

    public HospitalPartitioner(double sizeExponent, double alpha, int minPerClass = 5)
    {
        if (!(sizeExponent >= 0) || double.IsInfinity(sizeExponent))
        {
            throw new ArgumentOutOfRangeException(nameof(sizeExponent), sizeExponent, "the size exponent γ must be non-negative and finite");
        }
        if (!(alpha > 0.0) || double.IsInfinity(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "the Dirichlet concentration α must be positive and finite");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(minPerClass);
        SizeExponent = sizeExponent;
        Alpha = alpha;
        MinPerClass = minPerClass;
    }

    public double SizeExponent { get; }

    public double Alpha { get; }

    public int MinPerClass { get; }

    /// <summary>The share of the data site <paramref name="site"/> of <paramref name="sites"/> is given.</summary>
    public double SizeShare(int site, int sites) =>
        Math.Pow(site + 1, -SizeExponent) / Enumerable.Range(1, sites).Sum(r => Math.Pow(r, -SizeExponent));

    public SitePartition Partition(ReadOnlySpan<long> labels, int classes, int sites, ulong seed)
    {
        PartitionMath.Validate(labels.Length, sites, 0);
        var byClass = new List<int>[classes];
        for (var c = 0; c < classes; c++)
        {
            byClass[c] = [];
        }
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new ArgumentException($"label {labels[i]} of example {i} is outside 0..{classes - 1}", nameof(labels));
            }
            byClass[labels[i]].Add(i);
        }
        var random = new SeededRandom(seed);
        var total = labels.Length;
        var table = Fit(Tilts(classes, sites, random), [.. Enumerable.Range(0, sites).Select(s => SizeShare(s, sites) * total)],
            [.. byClass.Select(c => (double)c.Count)]);
        var assignment = Enumerable.Range(0, sites).Select(_ => new List<int>()).ToArray();
        for (var c = 0; c < classes; c++)
        {
            var members = byClass[c].ToArray();
            random.Shuffle<int>(members);
            var column = Enumerable.Range(0, sites).Select(s => table[s][c]).ToArray();
            var sum = column.Sum();
            var counts = PartitionMath.Apportion([.. column.Select(v => sum > 0 ? v / sum : 1.0 / sites)], members.Length);
            RaiseToMinimum(counts);
            var parts = PartitionMath.Cut(members, counts);
            for (var s = 0; s < sites; s++)
            {
                assignment[s].AddRange(parts[s]);
            }
        }
        foreach (var site in assignment)
        {
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(site));
        }
        return new SitePartition([.. assignment.Select(site => site.ToArray())], labels.Length);
    }

    /// <summary>tilt[s][c]: site s's Dirichlet(α) share of class c, plus the floor.</summary>
    private double[][] Tilts(int classes, int sites, SeededRandom random)
    {
        var tilts = Enumerable.Range(0, sites).Select(_ => new double[classes]).ToArray();
        for (var c = 0; c < classes; c++)
        {
            var shares = random.NextDirichlet(Alpha, sites);
            for (var s = 0; s < sites; s++)
            {
                tilts[s][c] = shares[s] + TiltFloor;
            }
        }
        return tilts;
    }

    /// <summary>Iterative proportional fitting of <paramref name="table"/> to the row and column sums.</summary>
    private static double[][] Fit(double[][] table, double[] rows, double[] columns)
    {
        for (var pass = 0; pass < FittingPassesMax; pass++)
        {
            for (var s = 0; s < table.Length; s++)
            {
                var sum = table[s].Sum();
                for (var c = 0; c < columns.Length; c++)
                {
                    table[s][c] *= sum > 0 ? rows[s] / sum : 0;
                }
            }
            for (var c = 0; c < columns.Length; c++)
            {
                var sum = table.Sum(row => row[c]);
                foreach (var row in table)
                {
                    row[c] *= sum > 0 ? columns[c] / sum : 0;
                }
            }
        }
        return table;
    }

    /// <summary>Moves examples of one class from the site holding most of it to sites below the minimum.</summary>
    private void RaiseToMinimum(int[] counts)
    {
        var floor = Math.Min(MinPerClass, counts.Sum() / counts.Length);
        for (var s = 0; s < counts.Length; s++)
        {
            while (counts[s] < floor)
            {
                counts[Array.IndexOf(counts, counts.Max())]--;
                counts[s]++;
            }
        }
    }
}
