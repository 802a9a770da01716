using System.CommandLine;
using System.Globalization;
using Swarm.Learning.Privacy;

namespace Swarm.Node.Cli;

/// <summary><c>swarm privacy epsilon</c>: the (ε, δ) that DP-SGD with given sampling rate, noise multiplier and
/// step count spends, by the RDP accountant, so researchers can plan a privacy budget before training.</summary>
public static class PrivacyCommand
{
    public static Command Create()
    {
        var command = new Command("privacy", "Differential-privacy planning tools.");
        command.Subcommands.Add(CreateEpsilon());
        return command;
    }

    private static Command CreateEpsilon()
    {
        var samplingRate = new Option<double>("--sampling-rate")
        {
            Description = "Poisson sampling rate q = expected batch size / data set size, in (0, 1].",
            Required = true,
        };
        var noiseMultiplier = new Option<double>("--noise-multiplier")
        {
            Description = "Noise standard deviation divided by the clipping norm (σ > 0).",
            Required = true,
        };
        var steps = new Option<long>("--steps") { Description = "Number of DP-SGD steps T (≥ 1).", Required = true };
        var delta = new Option<double>("--delta") { Description = "Target δ, in (0, 1).", Required = true };
        var conversion = new Option<PrivacyConversion>("--conversion")
        {
            Description = "RDP to (ε, δ) conversion: classic (Mironov 2017) or tight (Balle et al. 2020).",
            DefaultValueFactory = _ => PrivacyConversion.Classic,
        };
        var command = new Command("epsilon", "Print the ε spent by T steps of the sampled Gaussian mechanism (last line: epsilon=<number>).");
        command.Options.Add(samplingRate);
        command.Options.Add(noiseMultiplier);
        command.Options.Add(steps);
        command.Options.Add(delta);
        command.Options.Add(conversion);
        command.SetAction(parse => Run(
            parse.GetValue(samplingRate), parse.GetValue(noiseMultiplier), parse.GetValue(steps),
            parse.GetValue(delta), parse.GetValue(conversion)));
        return command;
    }

    private static int Run(double q, double sigma, long steps, double delta, PrivacyConversion conversion)
    {
        if (Validate(q, sigma, steps, delta) is { } problem)
        {
            Console.Error.WriteLine($"swarm privacy epsilon: {problem}");
            return ExitCodes.Usage;
        }
        var result = RdpAccountant.ComputeEpsilon(q, sigma, steps, delta, conversion);
        var name = conversion == PrivacyConversion.Classic ? "classic" : "tight (Balle et al. 2020)";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RDP accountant, sampled Gaussian: q={q}, sigma={sigma}, T={steps}, delta={delta}; {name} conversion over {RdpOrders.Default.Count} orders"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best order alpha={result.Order}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epsilon={result.Epsilon:0.####}"));
        return ExitCodes.Ok;
    }

    /// <summary>The problem with the inputs, or null when they are usable.</summary>
    internal static string? Validate(double q, double sigma, long steps, double delta)
    {
        if (!(q > 0.0 && q <= 1.0))
        {
            return $"--sampling-rate must be in (0, 1], got {q.ToString(CultureInfo.InvariantCulture)}";
        }
        if (!(sigma > 0.0) || double.IsInfinity(sigma))
        {
            return $"--noise-multiplier must be a positive number, got {sigma.ToString(CultureInfo.InvariantCulture)}";
        }
        if (steps < 1)
        {
            return $"--steps must be at least 1, got {steps}";
        }
        if (!(delta > 0.0 && delta < 1.0))
        {
            return $"--delta must be in (0, 1), got {delta.ToString(CultureInfo.InvariantCulture)}";
        }
        return null;
    }
}
