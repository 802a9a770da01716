namespace Swarm.Learning.Privacy;

/// <summary>The logarithm of the complementary error function, accurate to about 1e-13 relative over the
/// whole real line, including far in the tail where erfc itself underflows (.NET has no erfc).</summary>
internal static class Erfc
{
    /// <summary>Below this argument the power series for erf is used, above it the continued fraction.</summary>
    private const double SeriesLimit = 2.0;

    private const int IterationsMax = 5000;

    private static readonly double LogSqrtPi = 0.5 * Math.Log(Math.PI);

    /// <summary>log erfc(x).</summary>
    public static double Log(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }
        if (x < 0)
        {
            // erfc(x) = 2 − erfc(−x), and erfc(−x) ≤ 1, so there is no cancellation.
            return Math.Log(2.0 - Math.Exp(Log(-x)));
        }
        return x < SeriesLimit ? LogSpace.Log1P(-Erf(x)) : LogContinuedFraction(x);
    }

    /// <summary>erf(x) = (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (Abramowitz and Stegun 7.1.6): all terms
    /// positive, so no cancellation for the moderate x it is used for.</summary>
    private static double Erf(double x)
    {
        var term = x;
        var sum = x;
        var x2 = x * x;
        for (var n = 1; n < IterationsMax && term > sum * 1e-17; n++)
        {
            term *= 2.0 * x2 / ((2 * n) + 1);
            sum += term;
        }
        return 2.0 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum;
    }

    /// <summary>erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (Abramowitz and Stegun
    /// 7.1.14), evaluated by the modified Lentz method and returned as a logarithm.</summary>
    private static double LogContinuedFraction(double x)
    {
        const double Tiny = 1e-300;
        var f = x;
        var c = x;
        var d = 0.0;
        for (var n = 1; n < IterationsMax; n++)
        {
            var a = n / 2.0;
            d = x + (a * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = x + (a / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1.0 / d;
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16)
            {
                break;
            }
        }
        return -(x * x) - LogSqrtPi - Math.Log(f);
    }
}
