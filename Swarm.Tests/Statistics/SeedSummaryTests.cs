using Swarm.Learning.Statistics;

namespace Swarm.Tests.Statistics;

public sealed class SeedSummaryTests
{
    [Fact]
    public void Mean_sd_and_t_interval_of_four_values_match_the_textbook_arithmetic()
    {
        var s = SeedSummary.Of([1.0, 2.0, 3.0, 4.0]);

        // sd = √(((1.5² + 0.5²) · 2) / 3) = √(5/3); half-width = t(0.975; 3) · sd / 2 = 3.182 · 1.29099 / 2.
        Assert.Equal(4, s.Count);
        Assert.Equal(2.5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3.0), s.StandardDeviation, 12);
        Assert.Equal(2.5 - (3.182 * Math.Sqrt(5.0 / 3.0) / 2), s.Low, 12);
        Assert.Equal(2.5 + (3.182 * Math.Sqrt(5.0 / 3.0) / 2), s.High, 12);
    }

    [Fact]
    public void One_seed_has_a_mean_but_no_spread_or_interval()
    {
        var s = SeedSummary.Of([0.9]);

        Assert.Equal(0.9, s.Mean);
        Assert.True(double.IsNaN(s.StandardDeviation) && double.IsNaN(s.Low) && double.IsNaN(s.High));
        Assert.False(s.ExcludesZero);
    }

    [Fact]
    public void Student_t_quantiles_come_from_the_table_and_approach_the_normal_beyond_it()
    {
        Assert.Equal(12.706, StudentT.Quantile975(1));
        Assert.Equal(4.303, StudentT.Quantile975(2));
        Assert.Equal(2.042, StudentT.Quantile975(30));
        // Published values: t(0.975; 40) = 2.021, 60: 2.000, 120: 1.980.
        Assert.Equal(2.021, StudentT.Quantile975(40), 3);
        Assert.Equal(2.000, StudentT.Quantile975(60), 3);
        Assert.Equal(1.980, StudentT.Quantile975(120), 3);
        Assert.InRange(StudentT.Quantile975(100_000), 1.9599, 1.9601);
    }

    [Fact]
    public void Paired_differences_that_agree_in_sign_are_significant_and_scattered_ones_are_not()
    {
        Assert.True(SeedSummary.Of([0.05, 0.06, 0.07]).ExcludesZero);
        Assert.False(SeedSummary.Of([0.05, -0.04, 0.02]).ExcludesZero);
        // Three seeds with the same sign are not enough when they scatter: t(0.975; 2) = 4.303 is wide.
        Assert.False(SeedSummary.Of([0.001, 0.05, 0.10]).ExcludesZero);
    }
}
