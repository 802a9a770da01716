namespace Swarm.Learning.Privacy;

/// <summary>Rényi differential privacy of one step of the sampled Gaussian mechanism: each example is included
/// with probability q (Poisson sampling), and Gaussian noise of standard deviation σ times the sensitivity is
/// added to the sum. Follows Mironov, Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian
/// Mechanism" (2019): the RDP at order α is log(A_α)/(α − 1), where A_α is the α-th moment of the privacy loss,
/// computed by the binomial expansion for integer α (Section 3.2) and by the two convergent series split at
/// z₀ = σ²·log(1/q − 1) + 1/2 for fractional α (Section 3.3). All sums are taken in log space.
///
/// The fractional series always converges, but its terms fall off only polynomially (like i^(−α−2)) once the
/// factors q^i and e^(i²/(2σ²))·erfc cancel, which they do exactly at q = 1/2; there it needs millions of terms.
/// An order whose series has not settled within <see cref="SeriesTermsMax"/> terms (or that sums to something
/// not finite or negative) is therefore <em>bounded</em>, not skipped and not thrown: it is given the RDP of the
/// integer order ⌈α⌉, which is exact (a finite sum) and is an upper bound because the Rényi divergence does not
/// decrease with its order (van Erven and Harremoës, "Rényi divergence and Kullback–Leibler divergence", IEEE
/// Trans. Inf. Theory 2014, Theorem 3). Every order is also capped by α/(2σ²), the RDP of the Gaussian mechanism
/// without sampling, which the sampled one never exceeds (Mironov et al. 2019, Section 3.1). So the accountant
/// never reports less privacy loss than is spent, and never throws for a valid (q, σ, α).</summary>
public static class SampledGaussianRdp
{
    /// <summary>A term whose log falls below this (relative to A_α ≥ 1) no longer changes the sum in double
    /// precision; the fractional series stops once both of its terms are past it.</summary>
    private const double NegligibleLogTerm = -40.0;

    /// <summary>Once the series alternates with shrinking terms, the error of stopping is at most the next term
    /// (Leibniz); a term this far (in log) below the partial sum no longer matters to ε.</summary>
    private const double NegligibleRelativeLogTerm = -30.0;

    /// <summary>The most terms of the fractional series summed before the order is bounded by ⌈α⌉ instead.</summary>
    internal const int SeriesTermsMax = 4_000;

    /// <summary>The RDP ε(α) of one step with sampling rate <paramref name="samplingRate"/> and noise
    /// multiplier <paramref name="noiseMultiplier"/>, at order <paramref name="order"/> &gt; 1.</summary>
    public static double Compute(double samplingRate, double noiseMultiplier, double order)
    {
        Validate(samplingRate, noiseMultiplier, order);
        if (samplingRate == 0.0 || double.IsPositiveInfinity(noiseMultiplier))
        {
            return 0.0;
        }
        if (samplingRate == 1.0)
        {
            // Without sampling this is the Gaussian mechanism: ε(α) = α / (2σ²) (Mironov 2017, Prop. 7).
            return order / (2.0 * noiseMultiplier * noiseMultiplier);
        }
        var gaussian = order / (2.0 * noiseMultiplier * noiseMultiplier);
        var rdp = double.IsInteger(order)
            ? IntegerOrder(samplingRate, noiseMultiplier, order)
            : FractionalOrder(samplingRate, noiseMultiplier, order);
        // NaN (e.g. σ² overflowing to ∞ in z₀) carries no information; the Gaussian bound still holds. A_α ≥ 1
        // by Jensen's inequality, so a negative value is rounding.
        return double.IsNaN(rdp) ? gaussian : Math.Clamp(rdp, 0.0, gaussian);
    }

    private static double IntegerOrder(double q, double sigma, double order) =>
        order > int.MaxValue - 1
            ? double.PositiveInfinity
            : LogAIntegerOrder(q, sigma, (int)order) / (order - 1.0);

    /// <summary>The series value when it settles to a usable sum, else the bound by the integer order ⌈α⌉.</summary>
    private static double FractionalOrder(double q, double sigma, double order)
    {
        var logA = LogAFractionalOrder(q, sigma, order);
        return logA is { } value && double.IsFinite(value)
            ? value / (order - 1.0)
            : IntegerOrder(q, sigma, Math.Ceiling(order));
    }

    /// <summary>A_α = Σ_k C(α,k)·(1−q)^(α−k)·q^k·exp((k² − k)/(2σ²)), k = 0..α (Section 3.2).</summary>
    private static double LogAIntegerOrder(double q, double sigma, int order)
    {
        var logQ = Math.Log(q);
        var log1MinusQ = LogSpace.Log1P(-q);
        var twoSigmaSquared = 2.0 * sigma * sigma;
        var logA = double.NegativeInfinity;
        var logBinomial = 0.0;
        for (var k = 0; k <= order; k++)
        {
            if (k > 0)
            {
                logBinomial += Math.Log(order - k + 1) - Math.Log(k);
            }
            var term = logBinomial + (k * logQ) + ((order - k) * log1MinusQ) + (((double)k * k) - k) / twoSigmaSquared;
            logA = LogSpace.Add(logA, term);
        }
        return logA;
    }

    /// <summary>A_α = A₀ + A₁ for fractional α (Section 3.3). Below z₀ the (1 − q) part of the mixture dominates
    /// and (1 − q + q·e^((2z−1)/(2σ²)))^α is expanded in powers of the q part; above z₀ the other way round.
    /// Integrating each power of e^((2z−1)/(2σ²)) against N(0, σ²) on the half line gives
    /// e^((k² − k)/(2σ²)) times a Gaussian tail, ½·erfc((k − z₀)/(√2σ)) below and ½·erfc((z₀ − k)/(√2σ))
    /// above, where k is the power.</summary>
    /// <returns>log A_α, or null when the series did not settle within <see cref="SeriesTermsMax"/> terms or
    /// summed to a negative value (possible only through rounding).</returns>
    private static double? LogAFractionalOrder(double q, double sigma, double order)
    {
        var logQ = Math.Log(q);
        var log1MinusQ = LogSpace.Log1P(-q);
        var twoSigmaSquared = 2.0 * sigma * sigma;
        var sqrt2Sigma = Math.Sqrt(2.0) * sigma;
        var z0 = (sigma * sigma * (Math.Log(1.0 / q - 1.0))) + 0.5;
        if (!double.IsFinite(z0) || !double.IsFinite(twoSigmaSquared))
        {
            // σ² overflows: the series' terms would all be NaN; the bounds in Compute take over.
            return null;
        }
        var below = new SignedLogSum();
        var above = new SignedLogSum();
        var logBinomial = 0.0;
        var sign = 1;
        var previousLogTerm = double.PositiveInfinity;
        for (var i = 0; i < SeriesTermsMax; i++)
        {
            if (i > 0)
            {
                // C(α, i) = C(α, i−1)·(α − i + 1)/i; the factor turns negative once i exceeds α + 1.
                var factor = (order - i + 1) / i;
                sign *= Math.Sign(factor);
                logBinomial += Math.Log(Math.Abs(factor));
            }
            var j = order - i;
            var logBelow = logBinomial + (i * logQ) + (j * log1MinusQ) + (((double)i * i) - i) / twoSigmaSquared
                + Math.Log(0.5) + Erfc.Log((i - z0) / sqrt2Sigma);
            var logAbove = logBinomial + (j * logQ) + (i * log1MinusQ) + ((j * j) - j) / twoSigmaSquared
                + Math.Log(0.5) + Erfc.Log((z0 - j) / sqrt2Sigma);
            below.Add(sign, logBelow);
            above.Add(sign, logAbove);
            var logTerm = Math.Max(logBelow, logAbove);
            if (i > order && (logTerm < NegligibleLogTerm || Settled(i, order, z0, logTerm, previousLogTerm, below, above)))
            {
                return Combine(below, above);
            }
            previousLogTerm = logTerm;
        }
        return null;
    }

    /// <summary>Past α + 1 and z₀ both series alternate; once their terms also shrink, the rest is smaller than
    /// the current term, which may stop the sum when it is negligible next to it.</summary>
    private static bool Settled(int i, double order, double z0, double logTerm, double previousLogTerm, SignedLogSum below, SignedLogSum above) =>
        i > order + 1.0 && i > z0 && logTerm < previousLogTerm
            && logTerm - Math.Min(below.LogMagnitude, above.LogMagnitude) < NegligibleRelativeLogTerm;

    private static double? Combine(SignedLogSum below, SignedLogSum above) =>
        // Both halves are integrals of a positive function, so a negative sum can only come from rounding.
        below.Sign < 0 || above.Sign < 0 ? null : LogSpace.Add(below.LogMagnitude, above.LogMagnitude);

    private static void Validate(double samplingRate, double noiseMultiplier, double order)
    {
        if (!(samplingRate >= 0.0 && samplingRate <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "the sampling rate must be in [0, 1]");
        }
        if (!(noiseMultiplier > 0.0))
        {
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "the noise multiplier must be positive");
        }
        if (!(order > 1.0) || double.IsInfinity(order))
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "the Rényi order must be finite and greater than 1");
        }
    }
}
