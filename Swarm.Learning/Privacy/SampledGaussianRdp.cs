namespace Swarm.Learning.Privacy;

/// <summary>Rényi differential privacy of one step of the sampled Gaussian mechanism: each example is included
/// with probability q (Poisson sampling), and Gaussian noise of standard deviation σ times the sensitivity is
/// added to the sum. Follows Mironov, Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian
/// Mechanism" (2019): the RDP at order α is log(A_α)/(α − 1), where A_α is the α-th moment of the privacy loss,
/// computed by the binomial expansion for integer α (Section 3.2) and by the two convergent series split at
/// z₀ = σ²·log(1/q − 1) + 1/2 for fractional α (Section 3.3). All sums are taken in log space.</summary>
public static class SampledGaussianRdp
{
    /// <summary>A term whose log falls below this (relative to A_α ≥ 1) no longer changes the sum in double
    /// precision; the fractional series stops once both of its terms are past it.</summary>
    private const double NegligibleLogTerm = -40.0;

    /// <summary>A bound on the fractional series; its terms decay faster than geometrically once past
    /// the order, so reaching it means a bug.</summary>
    private const int SeriesTermsMax = 100_000;

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
        var logA = double.IsInteger(order)
            ? LogAIntegerOrder(samplingRate, noiseMultiplier, (int)order)
            : LogAFractionalOrder(samplingRate, noiseMultiplier, order);
        return logA / (order - 1.0);
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
    private static double LogAFractionalOrder(double q, double sigma, double order)
    {
        var logQ = Math.Log(q);
        var log1MinusQ = LogSpace.Log1P(-q);
        var twoSigmaSquared = 2.0 * sigma * sigma;
        var sqrt2Sigma = Math.Sqrt(2.0) * sigma;
        var z0 = (sigma * sigma * (Math.Log(1.0 / q - 1.0))) + 0.5;
        var below = new SignedLogSum();
        var above = new SignedLogSum();
        var logBinomial = 0.0;
        var sign = 1;
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
            if (i > order && Math.Max(logBelow, logAbove) < NegligibleLogTerm)
            {
                return Combine(below, above, order);
            }
        }
        throw new InvalidOperationException($"fractional RDP series for α={order} did not converge in {SeriesTermsMax} terms");
    }

    private static double Combine(SignedLogSum below, SignedLogSum above, double order)
    {
        // Both halves are integrals of a positive function, so a negative sum can only be a numerical bug.
        if (below.Sign < 0 || above.Sign < 0)
        {
            throw new InvalidOperationException($"fractional RDP series for α={order} summed to a negative value");
        }
        return LogSpace.Add(below.LogMagnitude, above.LogMagnitude);
    }

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
