using System.CommandLine;
using System.Globalization;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Node.Experiments;

namespace Swarm.Node.Cli;

/// <summary><c>swarm experiment data-vectors</c>: merged data vectors against their baselines, and the
/// asynchronous run (docs/data-vectors.md).</summary>
public static class DataVectorCommand
{
    public static Command Create()
    {
        var command = new Command("data-vectors",
            "Pre-train on PneumoniaMNIST, fine-tune at each site, merge the data vectors (sum, mean, sample-weighted, validated λ) and compare with single sites, random vectors, full-data fine-tuning and FedAvg; then vectors arriving one at a time (docs/data-vectors.md).");
        var d = new DataVectorSettings();
        static IReadOnlyList<string> List(string? text) =>
            (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var datasets = new Option<string>("--datasets") { Description = "Comma-separated target data sets (breastmnist, retinamnist)", DefaultValueFactory = _ => string.Join(',', d.Datasets) };
        var partitions = new Option<string>("--partitions") { Description = "Comma-separated partitions (iid, dirichlet); the asynchronous run uses the last", DefaultValueFactory = _ => string.Join(',', d.Partitions) };
        var alpha = new Option<double>("--alpha") { Description = "Dirichlet concentration of the label skew", DefaultValueFactory = _ => d.Alpha };
        var sites = new Option<int>("--sites") { Description = "Sites", DefaultValueFactory = _ => d.Sites };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds (each a full run)", DefaultValueFactory = _ => string.Join(',', d.Seeds) };
        var model = new Option<string>("--model") { Description = "smallcnn, resnet18 (BatchNorm statistics re-estimated after each merge) or resnet18-gn", DefaultValueFactory = _ => d.Model };
        var pretrain = new Option<int>("--pretrain-epochs") { Description = "Pre-training epochs on PneumoniaMNIST", DefaultValueFactory = _ => d.PretrainEpochs };
        var epochs = new Option<int>("--epochs") { Description = "Fine-tuning epochs per site (full-data fine-tuning: as many; FedAvg: as many rounds of one epoch)", DefaultValueFactory = _ => d.Epochs };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => d.LearningRate };
        var batch = new Option<int>("--batch-size") { Description = "Batch size", DefaultValueFactory = _ => d.BatchSize };
        var steps = new Option<int>("--lambda-steps") { Description = "Validated rule: λ grid k/(2n) for k = 1 … this (0: 3n, up to λ = 1.5)", DefaultValueFactory = _ => d.LambdaSteps };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => d.Threads };
        var limit = new Option<int>("--train-limit") { Description = "Use only the first N training images of each data set (0 = all; quick checks)", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Report folder (default reports/data-vectors-<UTC time>)" };
        foreach (var option in new Option[] { datasets, partitions, alpha, sites, seeds, model, pretrain, epochs, lr, batch, steps, threads, limit, output })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, ct) =>
        {
            var seedList = new List<int>();
            foreach (var text in List(parse.GetValue(seeds)))
            {
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                {
                    Console.Error.WriteLine($"swarm experiment data-vectors: --seeds: '{text}' is not an integer");
                    return ExitCodes.Usage;
                }
                seedList.Add(value);
            }
            var settings = new DataVectorSettings
            {
                Datasets = List(parse.GetValue(datasets)), Partitions = List(parse.GetValue(partitions)),
                Alpha = parse.GetValue(alpha), Sites = parse.GetValue(sites), Seeds = seedList,
                Model = parse.GetValue(model) ?? d.Model, PretrainEpochs = parse.GetValue(pretrain),
                Epochs = parse.GetValue(epochs), LearningRate = parse.GetValue(lr), BatchSize = parse.GetValue(batch),
                LambdaSteps = parse.GetValue(steps), Threads = parse.GetValue(threads), TrainLimit = parse.GetValue(limit),
            };
            var line = "swarm " + string.Join(' ', parse.Tokens.Select(t => t.Value));
            return await RunAsync(settings, parse.GetValue(output), line, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(DataVectorSettings settings, string? folder, string commandLine,
        CancellationToken cancellation)
    {
        if (settings.Problem() is { } problem)
        {
            Console.Error.WriteLine($"swarm experiment data-vectors: {problem}");
            return ExitCodes.Usage;
        }
        folder ??= Path.Combine("reports", "data-vectors-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        try
        {
            var experiment = new DataVectorExperiment(settings, Console.Out);
            var started = DateTime.UtcNow;
            await Task.Run(() => experiment.Run(cancellation), cancellation).ConfigureAwait(false);
            DataVectorReport.Write(folder, settings, experiment, commandLine);
            Console.Write(DataVectorReport.Markdown(settings, experiment, commandLine));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall time {(DateTime.UtcNow - started).TotalSeconds:F0} s"));
            Console.WriteLine($"report: {Path.GetFullPath(folder)}");
            return ExitCodes.Ok;
        }
        catch (DataSetException e)
        {
            Console.Error.WriteLine($"swarm experiment data-vectors: {e.Message}");
            return ExitCodes.Environment;
        }
        catch (TorchException e)
        {
            Console.Error.WriteLine($"swarm experiment data-vectors: {e.Message}");
            return e.Status == TorchStatus.LibraryMissing ? ExitCodes.Environment : ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("swarm experiment data-vectors: interrupted");
            return ExitCodes.Interrupted;
        }
    }
}
