using System.CommandLine;
using System.Globalization;
using Swarm.Node.Experiments;

namespace Swarm.Node.Cli;

/// <summary><c>swarm experiment secret-sharing</c>: plain swarm, secret-shared swarm, centralized and local-only on
/// PneumoniaMNIST and BreastMNIST over seeds (Truhn et al. 2024's comparison; docs/privacy.md).</summary>
public static class SecretSharingExperimentCommand
{
    public static Command Create()
    {
        var d = new SecretSharingExperiment.Settings();
        var command = new Command("secret-sharing", "Plain swarm vs secret-shared swarm vs centralized vs local-only over IID sites and seeds: test AUC/ACC (mean ± sd, 95 % CI), seconds and bytes per round.");
        var datasets = new Option<string>("--datasets") { Description = "Comma-separated data sets", DefaultValueFactory = _ => string.Join(',', d.Datasets) };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds (at least 3 for an interval)", DefaultValueFactory = _ => string.Join(',', d.Seeds) };
        var sites = new Option<int>("--sites") { Description = "Sites (IID split; at least 3)", DefaultValueFactory = _ => d.Sites };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of one local epoch (the baselines train as many epochs)", DefaultValueFactory = _ => d.Rounds };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => d.Threads };
        var limit = new Option<int>("--train-limit") { Description = "Use only the first N training images (0 = all)", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Report folder (default reports/secret-sharing-<UTC time>)" };
        foreach (var option in new Option[] { datasets, seeds, sites, rounds, threads, limit, output })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, ct) =>
        {
            var seedList = (parse.GetValue(seeds) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (seedList.Any(s => !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
            {
                Console.Error.WriteLine("swarm experiment secret-sharing: --seeds is a comma-separated list of whole numbers");
                return ExitCodes.Usage;
            }
            var settings = d with
            {
                Datasets = (parse.GetValue(datasets) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Seeds = [.. seedList.Select(s => int.Parse(s, CultureInfo.InvariantCulture))],
                Sites = parse.GetValue(sites), Rounds = parse.GetValue(rounds), Threads = parse.GetValue(threads), TrainLimit = parse.GetValue(limit),
            };
            return await RunAsync(settings, parse.GetValue(output), ct).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(SecretSharingExperiment.Settings settings, string? folder, CancellationToken cancellation)
    {
        const string name = "swarm experiment secret-sharing";
        if (settings.Problem() is { } problem)
        {
            Console.Error.WriteLine($"{name}: {problem}");
            return ExitCodes.Usage;
        }
        folder ??= Path.Combine("reports", "secret-sharing-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        return await TrainingFailures.GuardAsync(name, async () =>
        {
            var experiment = new SecretSharingExperiment(settings, Console.Out);
            var runs = await experiment.RunAsync(folder, cancellation).ConfigureAwait(false);
            Console.Write(experiment.Markdown(runs));
            Console.WriteLine($"report: {Path.GetFullPath(folder)}");
            return ExitCodes.Ok;
        }).ConfigureAwait(false);
    }
}
