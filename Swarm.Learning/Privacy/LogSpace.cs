namespace Swarm.Learning.Privacy;

/// <summary>Arithmetic on numbers held as their natural logarithms, so sums of terms like
/// exp((k² − k)/(2σ²)) stay finite for large orders and small noise.</summary>
internal static class LogSpace
{
    /// <summary>log(e^a + e^b).</summary>
    public static double Add(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
        {
            return b;
        }
        if (double.IsNegativeInfinity(b))
        {
            return a;
        }
        var max = Math.Max(a, b);
        return max + Log1P(Math.Exp(-Math.Abs(a - b)));
    }

    /// <summary>log(1 + x), accurate for small x (Goldberg's correction, "What every computer scientist
    /// should know about floating-point arithmetic", 1991, Theorem 4).</summary>
    public static double Log1P(double x)
    {
        var u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>log C(n, k) = log(n! / (k!(n−k)!)) for integers 0 ≤ k ≤ n, summed term by term.</summary>
    public static double LogBinomial(int n, int k)
    {
        var result = 0.0;
        for (var m = 0; m < k; m++)
        {
            result += Math.Log(n - m) - Math.Log(m + 1);
        }
        return result;
    }
}
