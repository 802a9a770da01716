using System.Globalization;
using Swarm.Node.Cli;

namespace Swarm.Tests.Privacy;

[Collection(ConsoleCollection.Name)]
public sealed class PrivacyCommandTests
{
    [Fact]
    public void Epsilon_is_printed_on_the_last_line()
    {
        var (code, output, _) = Capture(() => SwarmCli.Run(
            ["privacy", "epsilon", "--sampling-rate", "0.017064846416382253", "--noise-multiplier", "1.0", "--steps", "5800", "--delta", "1e-4"]));

        Assert.Equal(ExitCodes.Ok, code);
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("epsilon=", last, StringComparison.Ordinal);
        Assert.Equal(9.08, double.Parse(last["epsilon=".Length..], CultureInfo.InvariantCulture), 0.01);
    }

    [Fact]
    public void Tight_conversion_prints_a_smaller_epsilon()
    {
        string[] common = ["privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1.1", "--steps", "1000", "--delta", "1e-5"];
        var classic = EpsilonOf(Capture(() => SwarmCli.Run(common)).Output);
        var tight = EpsilonOf(Capture(() => SwarmCli.Run([.. common, "--conversion", "tight"])).Output);

        Assert.True(tight < classic, $"tight {tight}, classic {classic}");
    }

    [Fact]
    public void A_sampling_rate_of_one_half_prints_a_finite_epsilon_instead_of_crashing()
    {
        // The fractional series at α = 1.1 does not settle at q = 1/2; that order is bounded by α = 2.
        var (code, output, _) = Capture(() => SwarmCli.Run(
            ["privacy", "epsilon", "--sampling-rate", "0.5", "--noise-multiplier", "1", "--steps", "100", "--delta", "1e-5"]));

        Assert.Equal(ExitCodes.Ok, code);
        var epsilon = EpsilonOf(output);
        Assert.True(double.IsFinite(epsilon) && epsilon > 0.0, $"epsilon {epsilon}");
    }

    [Theory]
    [InlineData("0", "1", "10", "1e-5", "--sampling-rate")]
    [InlineData("1.5", "1", "10", "1e-5", "--sampling-rate")]
    [InlineData("0.1", "0", "10", "1e-5", "--noise-multiplier")]
    [InlineData("0.1", "1", "0", "1e-5", "--steps")]
    [InlineData("0.1", "1", "10", "1", "--delta")]
    public void Out_of_range_inputs_are_usage_errors_naming_the_option(string q, string sigma, string steps, string delta, string option)
    {
        var (code, _, error) = Capture(() => SwarmCli.Run(
            ["privacy", "epsilon", "--sampling-rate", q, "--noise-multiplier", sigma, "--steps", steps, "--delta", delta]));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_option_is_a_usage_error()
    {
        var (code, _, _) = Capture(() => SwarmCli.Run(["privacy", "epsilon", "--sampling-rate", "0.1"]));

        Assert.Equal(ExitCodes.Usage, code);
    }

    private static double EpsilonOf(string output) =>
        double.Parse(output.TrimEnd().Split('\n')[^1]["epsilon=".Length..], CultureInfo.InvariantCulture);

    private static (int Code, string Output, string Error) Capture(Func<int> run)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = run();
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
