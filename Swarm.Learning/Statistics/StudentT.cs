namespace Swarm.Learning.Statistics;

/// <summary>Two-sided 95 % critical values of Student's t distribution, for intervals across a handful of seeds.</summary>
public static class StudentT
{
    // t(0.975; df) for df = 1..30, as printed in every statistics table (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
    private static readonly double[] Quantiles975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>The 0.975 quantile of t with <paramref name="degreesOfFreedom"/> degrees of freedom: a mean ± this
    /// × its standard error is a 95 % interval. Beyond 30 the Cornish–Fisher expansion around the normal 1.96
    /// (Abramowitz and Stegun 26.7.5), good to three decimals there.</summary>
    public static double Quantile975(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        if (degreesOfFreedom <= Quantiles975.Length)
        {
            return Quantiles975[degreesOfFreedom - 1];
        }
        const double z = 1.959964;
        double n = degreesOfFreedom;
        var z3 = z * z * z;
        var z5 = z3 * z * z;
        return z + ((z3 + z) / (4 * n)) + (((5 * z5) + (16 * z3) + (3 * z)) / (96 * n * n));
    }
}
