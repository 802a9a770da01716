using System.CommandLine;
using System.Globalization;
using Swarm.Node.Experiments;

namespace Swarm.Node.Cli;

/// <summary><c>swarm experiment dopamine</c>: Dopamine's comparison (Malekzadeh et al. 2021) on RetinaMNIST and
/// PneumoniaMNIST over IID sites and seeds (see docs/privacy.md, "Dopamine").</summary>
public static class DopamineExperimentCommand
{
    public static Command Create()
    {
        var d = new DopamineSettings();
        var command = new Command("dopamine", "Centralized, central DP-SGD, FedAvg, FedAvg with per-site DP and Dopamine over IID sites at several seeds: test ACC/AUC and ε, a table and an accuracy-vs-ε plot.");
        var datasets = new Option<string>("--datasets") { Description = "Comma-separated data sets", DefaultValueFactory = _ => string.Join(',', d.Datasets) };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds (at least 3 for an interval)", DefaultValueFactory = _ => string.Join(',', d.Seeds) };
        var sites = new Option<int>("--sites") { Description = "Sites K (IID split)", DefaultValueFactory = _ => d.Sites };
        var epochs = new Option<int>("--epochs") { Description = "Epochs' worth of training for every method", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--site-batch") { Description = "Each site's expected batch b (centralized: K·b)", DefaultValueFactory = _ => d.SiteBatch };
        var rate = new Option<double>("--learning-rate") { Description = "Plain SGD's learning rate", DefaultValueFactory = _ => d.LearningRate };
        var sigma = new Option<double>("--noise-multiplier") { Description = "σ of every DP method", DefaultValueFactory = _ => d.NoiseMultiplier };
        var clip = new Option<double>("--clip-norm") { Description = "C of every DP method", DefaultValueFactory = _ => d.ClipNorm };
        var delta = new Option<double>("--delta") { Description = "δ of ε", DefaultValueFactory = _ => d.Delta };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => d.Threads };
        var limit = new Option<int>("--train-limit") { Description = "Use only the first N training images (0 = all)", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Report folder (default reports/dopamine-<UTC time>)" };
        foreach (var option in new Option[] { datasets, seeds, sites, epochs, batch, rate, sigma, clip, delta, threads, limit, output })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var parsedSeeds = (parse.GetValue(seeds) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parsedSeeds.Any(s => !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
            {
                Console.Error.WriteLine("swarm experiment dopamine: --seeds are comma-separated whole numbers");
                return ExitCodes.Usage;
            }
            var settings = d with
            {
                Datasets = (parse.GetValue(datasets) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Seeds = [.. parsedSeeds.Select(s => int.Parse(s, CultureInfo.InvariantCulture))],
                Sites = parse.GetValue(sites), Epochs = parse.GetValue(epochs), SiteBatch = parse.GetValue(batch),
                LearningRate = parse.GetValue(rate), NoiseMultiplier = parse.GetValue(sigma), ClipNorm = parse.GetValue(clip),
                Delta = parse.GetValue(delta), Threads = parse.GetValue(threads), TrainLimit = parse.GetValue(limit),
            };
            return Run(settings, parse.GetValue(output), CancellationToken.None);
        });
        return command;
    }

    /// <summary>Runs the experiment and writes its report folder; the exit code.</summary>
    public static int Run(DopamineSettings settings, string? folder, CancellationToken cancellation)
    {
        if (settings.Problem() is { } problem)
        {
            Console.Error.WriteLine($"swarm experiment dopamine: {problem}");
            return ExitCodes.Usage;
        }
        folder ??= Path.Combine("reports", "dopamine-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        return TrainingFailures.Guard("swarm experiment dopamine", () =>
        {
            var results = new DopamineExperiment(settings, Console.Out).Run(cancellation);
            Console.Write(DopamineReport.Write(folder, settings, results));
            Console.WriteLine($"report: {Path.GetFullPath(folder)}");
            return ExitCodes.Ok;
        });
    }
}
