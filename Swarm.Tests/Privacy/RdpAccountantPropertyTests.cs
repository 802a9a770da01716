using Swarm.Learning.Privacy;

namespace Swarm.Tests.Privacy;

/// <summary>The accountant over a seeded sweep of (q, σ, T), edge values included: it never throws, ε is finite
/// or +∞ (never NaN, never negative), and ε does not grow with σ nor shrink with T.</summary>
public sealed class RdpAccountantPropertyTests
{
    private const double Delta = 1e-5;

    /// <summary>Rounding in the series may move ε by far less than this between neighbouring σ.</summary>
    private const double RelativeSlack = 1e-9;

    private static readonly long[] Steps = [0, 1, 10, 100, 10_000, 1_000_000];

    [Fact]
    public void Epsilon_never_throws_is_never_nan_and_is_monotone_in_sigma_and_in_steps()
    {
        var random = new Random(20261201);
        double[] edgeRates = [1.0, 1e-12, 1e-6, 0.5, 0.5 + 1e-9, 0.999999, 0.017064846416382253];
        double[] edgeSigmas = [1e-8, 1e-3, 0.1, 0.5, 1.0, 1.15, 2.0, 30.0, 1e4, 1e8, 1e200];
        var rates = edgeRates.Concat(Enumerable.Range(0, 3).Select(_ => 1.0 - random.NextDouble())).ToArray();
        foreach (var q in rates)
        {
            var sigmas = edgeSigmas.Concat(Enumerable.Range(0, 2).Select(_ => Math.Exp((random.NextDouble() * 10.0) - 5.0)))
                .Order().ToArray();
            var previousBySteps = new double[Steps.Length];
            Array.Fill(previousBySteps, double.PositiveInfinity);
            foreach (var sigma in sigmas)
            {
                var bySteps = EpsilonsOverSteps(q, sigma);
                for (var t = 0; t < Steps.Length; t++)
                {
                    Assert.True(bySteps[t] <= previousBySteps[t] * (1.0 + RelativeSlack),
                        $"q={q:R} T={Steps[t]}: ε={bySteps[t]:R} at σ={sigma:R} exceeds ε={previousBySteps[t]:R} at a smaller σ");
                }
                previousBySteps = bySteps;
            }
        }
    }

    [Fact]
    public void Every_order_of_one_step_is_finite_or_positive_infinity_and_at_most_the_unsampled_gaussian()
    {
        foreach (var q in new[] { 1e-12, 0.3, 0.5, 0.7, 1.0 })
        {
            foreach (var sigma in new[] { 1e-8, 0.2, 1.0, 40.0, 1e150 })
            {
                foreach (var order in RdpOrders.Default)
                {
                    var rdp = SampledGaussianRdp.Compute(q, sigma, order);
                    Assert.False(double.IsNaN(rdp) || rdp < 0.0, $"q={q} σ={sigma} α={order}: {rdp}");
                    Assert.True(rdp <= order / (2.0 * sigma * sigma), $"q={q} σ={sigma} α={order}: {rdp}");
                }
            }
        }
    }

    [Fact]
    public void An_order_whose_series_does_not_settle_is_bounded_by_the_next_integer_order()
    {
        // At q = 1/2 the terms of the fractional series fall off only polynomially.
        var atFraction = SampledGaussianRdp.Compute(0.5, 1.0, 1.1);
        var atTwo = SampledGaussianRdp.Compute(0.5, 1.0, 2.0);

        Assert.True(double.IsFinite(atFraction) && atFraction > 0.0 && atFraction <= atTwo, $"{atFraction} vs {atTwo}");
    }

    /// <summary>ε after each of <see cref="Steps"/>, checked to be usable and non-decreasing along the way.</summary>
    private static double[] EpsilonsOverSteps(double q, double sigma)
    {
        var accountant = new RdpAccountant();
        var result = new double[Steps.Length];
        var done = 0L;
        for (var t = 0; t < Steps.Length; t++)
        {
            accountant.Compose(q, sigma, Steps[t] - done);
            done = Steps[t];
            var epsilon = accountant.GetEpsilon(Delta).Epsilon;
            Assert.False(double.IsNaN(epsilon) || epsilon < 0.0, $"q={q:R} σ={sigma:R} T={Steps[t]}: ε={epsilon:R}");
            var before = t == 0 ? 0.0 : result[t - 1];
            Assert.True(epsilon >= before, $"q={q:R} σ={sigma:R}: ε={epsilon:R} at T={Steps[t]} is below ε={before:R} one step count earlier");
            result[t] = epsilon;
        }
        return result;
    }
}
