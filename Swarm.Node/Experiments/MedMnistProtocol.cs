using System.Globalization;
using System.Text;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Node.Simulation;
using Swarm.Node.Simulation.Reporting;

namespace Swarm.Node.Experiments;

/// <summary>
/// The MedMNIST v2 training protocol (Yang et al., Scientific Data 2023): Adam at 1e-3, batch 128, 100 epochs with
/// the rate × 0.1 at epochs 50 and 75, the epoch of best validation AUC tested once. Each (data set, model) pair runs
/// centralized and as an IID swarm of sites with one local epoch per round (so the same number of passes over the
/// data and the same schedule over rounds), plus each site alone, through <see cref="SimulationRunner"/>.
/// </summary>
public sealed class MedMnistProtocol(MedMnistProtocol.Settings settings, TextWriter log)
{
    /// <summary>The paper's ResNet-18 (28 × 28) test AUC and ACC (Yang et al. 2023, Table 3).</summary>
    public static readonly IReadOnlyDictionary<string, (double Auc, double Accuracy)> Published =
        new Dictionary<string, (double, double)>
        {
            ["pneumoniamnist"] = (0.944, 0.854),
            ["breastmnist"] = (0.901, 0.863),
            ["retinamnist"] = (0.717, 0.524),
        };

    public sealed record Settings
    {
        public IReadOnlyList<string> Datasets { get; init; } = ["pneumoniamnist", "breastmnist", "retinamnist"];
        public IReadOnlyList<string> Models { get; init; } = ["smallcnn"];
        public int Epochs { get; init; } = 100;
        public int Sites { get; init; } = 4;
        public int Seed { get; init; } = 1;
        public int Threads { get; init; } = 2;
        public int TrainLimit { get; init; }

        public string? Problem()
        {
            if (Epochs < 1 || Sites < 2 || Threads < 1 || TrainLimit < 0)
            {
                return "--epochs and --threads must be at least 1, --sites at least 2, --train-limit not negative";
            }
            if (Datasets.FirstOrDefault(d => !Published.ContainsKey(d)) is { } unknown)
            {
                return $"unknown data set '{unknown}' (pneumoniamnist, breastmnist, retinamnist)";
            }
            if (Models.FirstOrDefault(m => m is not ("smallcnn" or "resnet18" or "resnet18-gn")) is { } model)
            {
                return $"unknown model '{model}' (smallcnn, resnet18, resnet18-gn)";
            }
            return Datasets.Count == 0 || Models.Count == 0 ? "name at least one data set and one model" : null;
        }
    }

    /// <summary>One (data set, model) pair's scores and wall times.</summary>
    public sealed record Row(string Dataset, string Model, Score Centralized, Score Swarm, Score LocalOnlyMean,
        double CentralizedSeconds, double SwarmSeconds, double LocalOnlySeconds);

    public SimulationOptions OptionsFor(string dataset, string model) => new()
    {
        Sites = settings.Sites,
        Dataset = dataset,
        Model = model,
        Rounds = settings.Epochs,
        LocalEpochs = 1,
        Partition = "iid",
        Seed = settings.Seed,
        Threads = settings.Threads,
        LearningRate = 1e-3,
        BatchSize = 128,
        Schedule = LearningRateSchedule.MultiStep,
        PersonalizationEpochs = 0,
        TrainLimit = settings.TrainLimit,
    };

    /// <summary>Runs every pair, writes each pair's simulate report under <paramref name="folder"/> and the
    /// combined table to <c>medmnist.md</c>; returns the rows.</summary>
    public async Task<IReadOnlyList<Row>> RunAsync(string folder, CancellationToken cancellation)
    {
        Directory.CreateDirectory(folder);
        var rows = new List<Row>();
        foreach (var dataset in settings.Datasets)
        {
            var splits = MedMnist.Load(dataset);
            foreach (var model in settings.Models)
            {
                var options = OptionsFor(dataset, model);
                var train = splits.Train;
                Func<ITrainer> models = () =>
                    TorchTrainer.Create(model, train.Channels, train.Classes, train.Height, (ulong)options.Seed);
                var runFolder = Path.Combine(folder, $"{dataset}-{model}");
                log.WriteLine($"medmnist: {dataset} {model}: {settings.Epochs} epochs centralized, {settings.Sites} sites × {settings.Epochs} rounds, each site alone");
                var results = await new SimulationRunner(options, models, new SilentProgress(), runFolder)
                    .RunAsync(splits, cancellation).ConfigureAwait(false);
                ReportWriter.Write(runFolder, results);
                var row = new Row(dataset, model, results.Centralized, results.Swarm, results.LocalOnlyMean,
                    Seconds(results, "centralized"), Seconds(results, "swarm total"), Seconds(results, "local-only"));
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"medmnist: {dataset} {model}: centralized AUC {row.Centralized.Auc:F4} ({row.CentralizedSeconds:F0} s), swarm AUC {row.Swarm.Auc:F4} ({row.SwarmSeconds:F0} s), local-only mean AUC {row.LocalOnlyMean.Auc:F4}"));
                rows.Add(row);
                await File.WriteAllTextAsync(Path.Combine(folder, "medmnist.md"), Markdown(rows), cancellation)
                    .ConfigureAwait(false);
            }
        }
        return rows;
    }

    /// <summary>The combined table beside the paper's ResNet-18 (28) numbers.</summary>
    public string Markdown(IReadOnlyList<Row> rows)
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("# MedMNIST v2 protocol: centralized and swarm");
        text.AppendLine();
        text.AppendLine(string.Create(culture,
            $"Adam 1e-3, batch 128, {settings.Epochs} epochs (swarm: {settings.Epochs} rounds of one local epoch at each of {settings.Sites} IID sites), ") +
            "× 0.1 at 50 % and 75 % of them, the epoch or round of best validation AUC tested once on the official test split; " +
            string.Create(culture, $"seed {settings.Seed}, {settings.Threads} libtorch threads") +
            (settings.TrainLimit > 0 ? string.Create(culture, $", only the first {settings.TrainLimit} training images") : "") + ".");
        text.AppendLine("The paper's numbers are its ResNet-18 at 28 × 28 (Yang et al., Scientific Data 10, 41, 2023, Table 3), one run each.");
        text.AppendLine();
        text.AppendLine("| data set | model | paper ResNet-18 (28) AUC / ACC | centralized AUC / ACC | swarm AUC / ACC | local-only mean AUC / ACC | wall s: centralized / swarm / local-only (all sites) |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var paper = Published[r.Dataset];
            text.AppendLine(string.Create(culture,
                $"| {r.Dataset} | {r.Model} | {paper.Auc:F3} / {paper.Accuracy:F3} | {r.Centralized.Auc:F4} / {r.Centralized.Accuracy:F4} | {r.Swarm.Auc:F4} / {r.Swarm.Accuracy:F4} | {r.LocalOnlyMean.Auc:F4} / {r.LocalOnlyMean.Accuracy:F4} | {r.CentralizedSeconds:F0} / {r.SwarmSeconds:F0} / {r.LocalOnlySeconds:F0} |"));
        }
        return text.ToString();
    }

    private static double Seconds(SimulationResults results, string method) =>
        results.Timings.FirstOrDefault(t => t.Method.StartsWith(method, StringComparison.Ordinal))?.WallSeconds ?? double.NaN;
}
