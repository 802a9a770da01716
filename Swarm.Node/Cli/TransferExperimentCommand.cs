using System.CommandLine;
using System.Globalization;
using Swarm.Node.Experiments;

namespace Swarm.Node.Cli;

/// <summary><c>swarm experiment transfer</c>: BreastMNIST with and without an auxiliary PneumoniaMNIST model, at
/// several fractions of the breast training data, over seeds (see docs/cross-chain.md).</summary>
public static class TransferExperimentCommand
{
    public static Command Create()
    {
        var d = new TransferExperiment.Settings();
        var command = new Command("transfer", "BreastMNIST over IID sites with and without transfer from a PneumoniaMNIST model, at fractions of the training data; rounds to a validation-AUC target and final test AUC over seeds.");
        var fractions = new Option<string>("--fractions") { Description = "Comma-separated fractions of the breast training set", DefaultValueFactory = _ => string.Join(',', d.Fractions.Select(f => f.ToString(CultureInfo.InvariantCulture))) };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds (at least 3 for an interval)", DefaultValueFactory = _ => string.Join(',', d.Seeds) };
        var sites = new Option<int>("--sites") { Description = "Sites (IID split)", DefaultValueFactory = _ => d.Sites };
        var rounds = new Option<int>("--rounds") { Description = "FedAvg rounds of one local epoch", DefaultValueFactory = _ => d.Rounds };
        var sourceEpochs = new Option<int>("--source-epochs") { Description = "Epochs of the PneumoniaMNIST model", DefaultValueFactory = _ => d.SourceEpochs };
        var target = new Option<double>("--target-auc") { Description = "Validation AUC whose first round is reported", DefaultValueFactory = _ => d.TargetAuc };
        var lambda = new Option<double>("--lambda") { Description = "L2-SP penalty λ of the regularizing mode", DefaultValueFactory = _ => d.Lambda };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => d.Threads };
        var output = new Option<string?>("--out") { Description = "Report folder (default reports/transfer-<UTC time>)" };
        foreach (var option in new Option[] { fractions, seeds, sites, rounds, sourceEpochs, target, lambda, threads, output })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var parsedFractions = Numbers(parse.GetValue(fractions));
            var parsedSeeds = Numbers(parse.GetValue(seeds));
            if (parsedFractions is null || parsedSeeds is null || parsedSeeds.Any(s => s != Math.Floor(s)))
            {
                Console.Error.WriteLine("swarm experiment transfer: --fractions and --seeds are comma-separated numbers (seeds whole)");
                return ExitCodes.Usage;
            }
            var settings = d with
            {
                Fractions = parsedFractions, Seeds = [.. parsedSeeds.Select(s => (int)s)], Sites = parse.GetValue(sites),
                Rounds = parse.GetValue(rounds), SourceEpochs = parse.GetValue(sourceEpochs), TargetAuc = parse.GetValue(target),
                Lambda = parse.GetValue(lambda), Threads = parse.GetValue(threads),
            };
            if (settings.Problem() is { } problem)
            {
                Console.Error.WriteLine($"swarm experiment transfer: {problem}");
                return ExitCodes.Usage;
            }
            var folder = parse.GetValue(output) ?? Path.Combine("reports", "transfer-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            return TrainingFailures.Guard("swarm experiment transfer", () =>
            {
                var experiment = new TransferExperiment(settings, Console.Out);
                var runs = experiment.Execute(folder);
                Console.Write(experiment.Markdown(runs));
                Console.WriteLine($"report: {Path.GetFullPath(folder)}");
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static double[]? Numbers(string? text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }
        return values;
    }
}
