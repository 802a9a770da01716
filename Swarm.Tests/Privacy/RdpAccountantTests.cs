using Swarm.Learning.Privacy;

namespace Swarm.Tests.Privacy;

/// <summary>Reference values were computed independently, by numerically integrating the definition of A_α
/// for the sampled Gaussian (Mironov et al. 2019, Section 3) in 40-digit arithmetic with mpmath.</summary>
public sealed class RdpAccountantTests
{
    private const double Delta = 1e-4;

    [Theory]
    // Dopamine paper (δ = 1e-4, classic conversion): ≈ 9.08, ≈ 19.08, ≈ 10.83.
    [InlineData(50.0 / 2930, 1.0, 5800, 9.0831, 3.3)]
    [InlineData(50.0 / 293, 2.0, 1250, 19.0754, 2.3)]
    [InlineData(100.0 / 2930, 1.15, 3001, 10.8323, 3.0)]
    public void Dopamine_vectors_hold_with_the_classic_conversion(double q, double sigma, long steps, double epsilon, double order)
    {
        var result = RdpAccountant.ComputeEpsilon(q, sigma, steps, Delta, PrivacyConversion.Classic);

        Assert.Equal(epsilon, result.Epsilon, 0.01);
        Assert.Equal(order, result.Order, 1e-9);
        Assert.Equal(Delta, result.Delta);
    }

    [Theory]
    [InlineData(50.0 / 2930, 1.0, 5800, 8.1823)]
    [InlineData(50.0 / 293, 2.0, 1250, 17.8331)]
    [InlineData(100.0 / 2930, 1.15, 3001, 9.8521)]
    public void Tight_conversion_matches_the_reference_and_is_below_classic(double q, double sigma, long steps, double epsilon)
    {
        var tight = RdpAccountant.ComputeEpsilon(q, sigma, steps, Delta, PrivacyConversion.Tight);
        var classic = RdpAccountant.ComputeEpsilon(q, sigma, steps, Delta, PrivacyConversion.Classic);

        Assert.Equal(epsilon, tight.Epsilon, 0.01);
        Assert.True(tight.Epsilon < classic.Epsilon);
    }

    [Theory]
    [InlineData(0.01, 1.0, 2.0, 0.00017181342207454794)]
    [InlineData(0.01, 1.0, 2.5, 0.00021757533228188046)]
    [InlineData(0.1, 0.8, 7.3, 3.035606814988688)]
    [InlineData(0.5, 3.0, 32.0, 1.0967401104738271)]
    [InlineData(0.02, 1.1, 1.5, 0.00037907429212377756)]
    public void Single_step_rdp_matches_numerical_integration(double q, double sigma, double order, double expected)
    {
        var rdp = SampledGaussianRdp.Compute(q, sigma, order);

        Assert.True(Math.Abs(rdp - expected) <= 1e-9 * expected, $"RDP {rdp:R}, expected {expected:R}");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.7)]
    public void Without_sampling_rdp_is_the_plain_gaussian_alpha_over_two_sigma_squared(double sigma)
    {
        foreach (var order in RdpOrders.Default)
        {
            Assert.Equal(order / (2 * sigma * sigma), SampledGaussianRdp.Compute(1.0, sigma, order), 12);
        }
    }

    [Fact]
    public void Integer_and_fractional_paths_agree_next_to_an_integer_order()
    {
        // The binomial sum (integer α) and the two-series form (fractional α) are different computations of one
        // continuous function of α.
        foreach (var (q, sigma) in new[] { (0.01, 1.0), (0.2, 0.7), (0.05, 3.0) })
        {
            foreach (var order in new[] { 2.0, 5.0, 12.0, 40.0 })
            {
                var atInteger = SampledGaussianRdp.Compute(q, sigma, order);
                var nearby = SampledGaussianRdp.Compute(q, sigma, order + 1e-7);
                Assert.True(Math.Abs(atInteger - nearby) <= 1e-5 * atInteger, $"q={q} σ={sigma} α={order}: {atInteger} vs {nearby}");
            }
        }
    }

    [Fact]
    public void Epsilon_grows_with_steps_and_falls_with_noise()
    {
        var previous = 0.0;
        foreach (var steps in new long[] { 1, 10, 100, 1000, 10_000 })
        {
            var epsilon = RdpAccountant.ComputeEpsilon(0.01, 1.0, steps, Delta).Epsilon;
            Assert.True(epsilon > previous, $"T={steps}: {epsilon} after {previous}");
            previous = epsilon;
        }
        previous = double.PositiveInfinity;
        foreach (var sigma in new[] { 0.6, 0.8, 1.0, 1.5, 3.0, 10.0 })
        {
            var epsilon = RdpAccountant.ComputeEpsilon(0.01, sigma, 1000, Delta).Epsilon;
            Assert.True(epsilon < previous, $"σ={sigma}: {epsilon} after {previous}");
            previous = epsilon;
        }
    }

    [Fact]
    public void Composing_step_by_step_equals_composing_at_once()
    {
        var stepwise = new RdpAccountant();
        for (var i = 0; i < 50; i++)
        {
            stepwise.Compose(0.02, 1.2);
        }
        var atOnce = new RdpAccountant();
        atOnce.Compose(0.02, 1.2, 50);

        Assert.Equal(atOnce.GetEpsilon(Delta).Epsilon, stepwise.GetEpsilon(Delta).Epsilon, 9);
    }

    [Fact]
    public void Default_orders_are_the_tenth_grid_then_the_integers_to_63()
    {
        var orders = RdpOrders.Default;

        Assert.Equal(99 + 52, orders.Count);
        Assert.Equal(1.1, orders[0]);
        Assert.Equal(10.9, orders[98]);
        Assert.Equal(12.0, orders[99]);
        Assert.Equal(63.0, orders[^1]);
    }

    [Fact]
    public void Classic_conversion_is_rdp_plus_log_one_over_delta_over_alpha_minus_one()
    {
        var epsilon = RdpConverter.Convert(5.0, 2.0, 1e-5, PrivacyConversion.Classic);

        Assert.Equal(2.0 + (Math.Log(1e5) / 4.0), epsilon, 12);
    }

    [Fact]
    public void Tight_conversion_follows_balle_et_al()
    {
        var epsilon = RdpConverter.Convert(5.0, 2.0, 1e-5, PrivacyConversion.Tight);

        Assert.Equal(2.0 - ((Math.Log(1e-5) + Math.Log(5.0)) / 4.0) + Math.Log(0.8), epsilon, 12);
    }

    [Theory]
    [InlineData(-0.1, 1.0, 2.0)]
    [InlineData(1.5, 1.0, 2.0)]
    [InlineData(0.1, 0.0, 2.0)]
    [InlineData(0.1, 1.0, 1.0)]
    public void Invalid_parameters_are_rejected(double q, double sigma, double order)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SampledGaussianRdp.Compute(q, sigma, order));
    }

    [Fact]
    public void No_steps_spend_no_privacy()
    {
        Assert.Equal(0.0, new RdpAccountant().GetEpsilon(Delta, PrivacyConversion.Tight).Epsilon);
    }
}
