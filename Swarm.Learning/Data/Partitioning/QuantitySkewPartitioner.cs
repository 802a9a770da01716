namespace Swarm.Learning.Data.Partitioning;

/// <summary>Quantity skew: sites hold different amounts of data with the same label mix. Site sizes are a
/// minimum plus a share of the rest, the shares drawn from a symmetric Dirichlet(β) or following a power law
/// (site of random rank r gets weight (r+1)^−γ); the examples are then a seeded shuffle cut at those sizes.</summary>
public sealed class QuantitySkewPartitioner : IPartitioner
{
    private readonly bool _powerLaw;

    private QuantitySkewPartitioner(double parameter, bool powerLaw, int minPerSite)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minPerSite);
        Parameter = parameter;
        _powerLaw = powerLaw;
        MinPerSite = minPerSite;
    }

    /// <summary>β for the Dirichlet form, γ for the power law.</summary>
    public double Parameter { get; }

    public int MinPerSite { get; }

    /// <summary>Site shares from Dirichlet(<paramref name="beta"/>): small β, very unequal sizes.</summary>
    public static QuantitySkewPartitioner Dirichlet(double beta, int minPerSite = 0)
    {
        if (!(beta > 0.0) || double.IsInfinity(beta))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "the Dirichlet concentration β must be positive and finite");
        }
        return new QuantitySkewPartitioner(beta, powerLaw: false, minPerSite);
    }

    /// <summary>Site shares proportional to (rank+1)^−<paramref name="exponent"/> over a random ranking.</summary>
    public static QuantitySkewPartitioner PowerLaw(double exponent, int minPerSite = 0)
    {
        if (!(exponent >= 0.0) || double.IsInfinity(exponent))
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, "the power-law exponent must be non-negative and finite");
        }
        return new QuantitySkewPartitioner(exponent, powerLaw: true, minPerSite);
    }

    public SitePartition Partition(ReadOnlySpan<long> labels, int classes, int sites, ulong seed)
    {
        PartitionMath.Validate(labels.Length, sites, MinPerSite);
        var random = new SeededRandom(seed);
        var shares = _powerLaw ? PowerLawShares(sites, random) : random.NextDirichlet(Parameter, sites);
        var sizes = PartitionMath.Apportion(shares, labels.Length - (MinPerSite * sites));
        for (var i = 0; i < sites; i++)
        {
            sizes[i] += MinPerSite;
        }
        var order = random.Permutation(labels.Length);
        return new SitePartition(PartitionMath.Cut(order, sizes), labels.Length);
    }

    private double[] PowerLawShares(int sites, SeededRandom random)
    {
        var ranks = random.Permutation(sites);
        var shares = new double[sites];
        var sum = 0.0;
        for (var i = 0; i < sites; i++)
        {
            shares[i] = Math.Pow(ranks[i] + 1, -Parameter);
            sum += shares[i];
        }
        for (var i = 0; i < sites; i++)
        {
            shares[i] /= sum;
        }
        return shares;
    }
}
