using Swarm.Learning.Privacy;

namespace Swarm.Tests.Privacy;

public sealed class ErfcTests
{
    [Theory]
    // log erfc(x) computed with mpmath at 40 digits.
    [InlineData(0.5, -0.7350111298370844)]
    [InlineData(1.0, -1.8496055099332482)]
    [InlineData(2.0, -5.3649412646166376)]
    [InlineData(3.0, -10.720363041981113)]
    [InlineData(5.0, -27.200889545537434)]
    [InlineData(10.0, -102.87988902484489)]
    [InlineData(30.0, -903.97411711064388)]
    [InlineData(-1.0, 0.61123231767807049)]
    [InlineData(-3.0, 0.69313613525044681)]
    [InlineData(0.0, 0.0)]
    public void Log_erfc_matches_high_precision_values(double x, double expected)
    {
        Assert.True(Math.Abs(Erfc.Log(x) - expected) <= 1e-13 * Math.Max(1.0, Math.Abs(expected)), $"log erfc({x}) = {Erfc.Log(x):R}");
    }

    [Fact]
    public void Series_and_continued_fraction_meet_smoothly_at_the_switch()
    {
        var below = Erfc.Log(Math.BitDecrement(2.0));
        var above = Erfc.Log(2.0);

        Assert.True(Math.Abs(below - above) < 1e-13, $"{below:R} vs {above:R}");
    }
}
