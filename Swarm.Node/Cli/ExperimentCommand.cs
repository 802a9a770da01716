using System.CommandLine;
using System.Globalization;
using Swarm.Node.Experiments;

namespace Swarm.Node.Cli;

/// <summary><c>swarm experiment</c>: long experiments that write a report folder (not part of the tests).</summary>
public static class ExperimentCommand
{
    public static Command Create()
    {
        var command = new Command("experiment", "Run a long experiment and write its report folder (see docs/simulation.md).");
        command.Subcommands.Add(MedMnist());
        command.Subcommands.Add(TransferExperimentCommand.Create());
        command.Subcommands.Add(DataVectorCommand.Create());
        command.Subcommands.Add(SecretSharingExperimentCommand.Create());
        command.Subcommands.Add(DopamineExperimentCommand.Create());
        return command;
    }

    private static Command MedMnist()
    {
        var command = new Command("medmnist", "The MedMNIST v2 protocol (Adam 1e-3, batch 128, 100 epochs, x0.1 at 50 and 75, best validation AUC tested once), centralized and as an IID swarm, beside the paper's ResNet-18 (28) numbers.");
        var d = new MedMnistProtocol.Settings();
        var datasets = new Option<string>("--datasets") { Description = "Comma-separated data sets", DefaultValueFactory = _ => string.Join(',', d.Datasets) };
        var models = new Option<string>("--models") { Description = "Comma-separated models (smallcnn, resnet18, resnet18-gn)", DefaultValueFactory = _ => string.Join(',', d.Models) };
        var epochs = new Option<int>("--epochs") { Description = "Epochs (swarm: rounds of one local epoch)", DefaultValueFactory = _ => d.Epochs };
        var sites = new Option<int>("--sites") { Description = "Swarm sites (IID split)", DefaultValueFactory = _ => d.Sites };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, initialisation and shuffling", DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => d.Threads };
        var limit = new Option<int>("--train-limit") { Description = "Use only the first N training images (0 = all; quick checks)", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Report folder (default reports/medmnist-<UTC time>)" };
        foreach (var option in new Option[] { datasets, models, epochs, sites, seed, threads, limit, output })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, ct) =>
        {
            static IReadOnlyList<string> List(string? text) =>
                (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var settings = new MedMnistProtocol.Settings
            {
                Datasets = List(parse.GetValue(datasets)), Models = List(parse.GetValue(models)),
                Epochs = parse.GetValue(epochs), Sites = parse.GetValue(sites), Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads), TrainLimit = parse.GetValue(limit),
            };
            return await RunAsync(settings, parse.GetValue(output), ct).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(MedMnistProtocol.Settings settings, string? folder, CancellationToken cancellation)
    {
        if (settings.Problem() is { } problem)
        {
            Console.Error.WriteLine($"swarm experiment medmnist: {problem}");
            return ExitCodes.Usage;
        }
        folder ??= Path.Combine("reports", "medmnist-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        return await TrainingFailures.GuardAsync("swarm experiment medmnist", async () =>
        {
            var protocol = new MedMnistProtocol(settings, Console.Out);
            var rows = await protocol.RunAsync(folder, cancellation).ConfigureAwait(false);
            Console.Write(protocol.Markdown(rows));
            Console.WriteLine($"report: {Path.GetFullPath(folder)}");
            return ExitCodes.Ok;
        }).ConfigureAwait(false);
    }
}
