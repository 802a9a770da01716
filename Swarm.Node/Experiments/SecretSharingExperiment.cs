using System.Globalization;
using System.Text;
using Swarm.Learning.Data;
using Swarm.Learning.Privacy.SecretSharing;
using Swarm.Learning.Statistics;
using Swarm.Learning.Training;
using Swarm.Learning.Updates;
using Swarm.Node.Simulation;
using Swarm.Node.Simulation.Reporting;
using Swarm.Tasks;

namespace Swarm.Node.Experiments;

/// <summary>
/// The experiment of Truhn et al. (Medical Image Analysis 2024, encrypted federated learning by additive secret
/// sharing) on this swarm, without a crypto provider: for each data set and seed, the plain swarm (with the
/// centralized and local-only baselines of the same split) and the secret-shared swarm (the same options with
/// <c>task.privacy.secret-sharing</c>, swarm only), each through <see cref="SimulationRunner"/>; test AUC and ACC as
/// mean ± sd with 95 % t intervals over seeds, seconds per round and the bytes each site sends per round.
/// </summary>
public sealed class SecretSharingExperiment(SecretSharingExperiment.Settings settings, TextWriter log)
{
    public sealed record Settings
    {
        public IReadOnlyList<string> Datasets { get; init; } = ["pneumoniamnist", "breastmnist"];
        public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];
        public int Sites { get; init; } = 4;
        public int Rounds { get; init; } = 20;
        public string Model { get; init; } = "smallcnn";
        public int Threads { get; init; } = 1;
        public int TrainLimit { get; init; }

        public string? Problem()
        {
            if (Sites < 3 || Rounds < 1 || Threads < 1 || TrainLimit < 0 || Seeds.Count < 1)
            {
                return "--sites must be at least 3 (secret sharing), --rounds and --threads at least 1, --train-limit not negative, one seed or more";
            }
            return Datasets.Count == 0 || Datasets.Any(d => !MedMnistProtocol.Published.ContainsKey(d))
                ? "--datasets names pneumoniamnist, breastmnist or retinamnist"
                : null;
        }
    }

    /// <summary>One seed of one data set: the four methods' test scores, seconds per round of both swarms, and the
    /// model's parameter count (for the bytes).</summary>
    public sealed record Run(string Dataset, int Seed, Score Plain, Score Shared, Score Centralized, Score LocalOnlyMean,
        double PlainRoundSeconds, double SharedRoundSeconds, long Parameters);

    public SimulationOptions OptionsFor(string dataset, int seed, bool shared) => new()
    {
        Sites = settings.Sites,
        Dataset = dataset,
        Model = settings.Model,
        Rounds = settings.Rounds,
        LocalEpochs = 1,
        Partition = "iid",
        Seed = seed,
        Threads = settings.Threads,
        LearningRate = 1e-3,
        BatchSize = 64,
        Schedule = LearningRateSchedule.MultiStep,
        PersonalizationEpochs = 0,
        TrainLimit = settings.TrainLimit,
        SecretSharing = shared,
        SwarmOnly = shared,
    };

    /// <summary>Runs every data set and seed, writes each simulation's report under <paramref name="folder"/> and the
    /// table to <c>secret-sharing.md</c> after each seed; returns the runs.</summary>
    public async Task<IReadOnlyList<Run>> RunAsync(string folder, CancellationToken cancellation)
    {
        Directory.CreateDirectory(folder);
        var runs = new List<Run>();
        foreach (var dataset in settings.Datasets)
        {
            var splits = MedMnist.Load(dataset);
            var train = splits.Train;
            Func<ITrainer> models = () => TorchTrainer.Create(settings.Model, train.Channels, train.Classes, train.Height, 1);
            long parameters;
            using (var probe = models())
            {
                parameters = probe.Layout.TotalLength;
            }
            foreach (var seed in settings.Seeds)
            {
                var plain = await Simulate(splits, OptionsFor(dataset, seed, shared: false), Path.Combine(folder, $"{dataset}-seed{seed}-plain"), cancellation)
                    .ConfigureAwait(false);
                var shared = await Simulate(splits, OptionsFor(dataset, seed, shared: true), Path.Combine(folder, $"{dataset}-seed{seed}-shared"), cancellation)
                    .ConfigureAwait(false);
                var run = new Run(dataset, seed, plain.Swarm, shared.Swarm, plain.Centralized, plain.LocalOnlyMean,
                    RoundSeconds(plain), RoundSeconds(shared), parameters);
                log.WriteLine(Invariant($"secret-sharing: {dataset} seed {seed}: plain swarm AUC {run.Plain.Auc:F4}, secret-shared {run.Shared.Auc:F4}, centralized {run.Centralized.Auc:F4}, local-only mean {run.LocalOnlyMean.Auc:F4}; s/round {run.PlainRoundSeconds:F1} / {run.SharedRoundSeconds:F1}"));
                runs.Add(run);
                await File.WriteAllTextAsync(Path.Combine(folder, "secret-sharing.md"), Markdown(runs), cancellation).ConfigureAwait(false);
            }
        }
        return runs;
    }

    private async Task<SimulationResults> Simulate(MedMnistSplits splits, SimulationOptions options, string folder, CancellationToken cancellation)
    {
        var train = splits.Train;
        Func<ITrainer> models = () => TorchTrainer.Create(options.Model, train.Channels, train.Classes, train.Height, (ulong)options.Seed);
        var results = await new SimulationRunner(options, models, new SilentProgress(), folder).RunAsync(splits, cancellation).ConfigureAwait(false);
        ReportWriter.Write(folder, results);
        return results;
    }

    private static double RoundSeconds(SimulationResults results) =>
        results.Rounds.Count == 0 ? double.NaN : results.Rounds.Average(r => r.WallSeconds);

    /// <summary>Blob bytes one site sends per round (each blob to every other site; chain requests not counted):
    /// plain, its encoded dense update; secret-shared, its dealt-shares blob (n − 1 sealed 32-byte seeds) and its
    /// partial sum (8 bytes a parameter).</summary>
    public static (long Plain, long Shared) BytesPerSiteRound(long parameters, int sites)
    {
        var update = UpdateCodec.Encode(SparseUpdate.Dense(new float[parameters])).Length;
        var seeds = Enumerable.Range(1, sites - 1).Select(h => new SealedSeed(0, h, new byte[60])).ToList();
        var dealt = SharedRound.EncodeDealt(seeds).Length;
        return ((long)update * (sites - 1), (dealt + (8L * parameters)) * (sites - 1));
    }

    public string Markdown(IReadOnlyList<Run> runs)
    {
        var text = new StringBuilder();
        text.AppendLine("# Secret-shared swarm against plain swarm, centralized and local-only");
        text.AppendLine();
        text.AppendLine(Invariant($"{settings.Sites} IID sites, {settings.Model}, Adam 1e-3, batch 64, {settings.Rounds} rounds of one local epoch (centralized and local-only: as many epochs), ") +
            "× 0.1 at 50 % and 75 %, the round or epoch of best validation AUC tested once; " +
            (settings.TrainLimit > 0 ? Invariant($"only the first {settings.TrainLimit} training images; ") : "") +
            Invariant($"{settings.Threads} libtorch thread(s). Mean ± sd over seeds with the 95 % t interval of the mean."));
        text.AppendLine();
        text.AppendLine("| data set | method | seeds | test AUC mean ± sd [95 % CI] | test ACC mean ± sd | s / round | bytes sent / site / round |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var group in runs.GroupBy(r => r.Dataset))
        {
            var list = group.ToList();
            var (plainBytes, sharedBytes) = BytesPerSiteRound(list[0].Parameters, settings.Sites);
            Row(text, group.Key, "plain swarm", list.Select(r => r.Plain), Seconds(list.Select(r => r.PlainRoundSeconds)), plainBytes.ToString("N0", CultureInfo.InvariantCulture));
            Row(text, group.Key, "secret-shared swarm", list.Select(r => r.Shared), Seconds(list.Select(r => r.SharedRoundSeconds)), sharedBytes.ToString("N0", CultureInfo.InvariantCulture));
            Row(text, group.Key, "centralized", list.Select(r => r.Centralized), "–", "–");
            Row(text, group.Key, "local-only (mean of sites)", list.Select(r => r.LocalOnlyMean), "–", "–");
        }
        text.AppendLine();
        text.AppendLine("Paired differences of test AUC over seeds (mean ± sd [95 % CI]):");
        text.AppendLine();
        foreach (var group in runs.GroupBy(r => r.Dataset))
        {
            var list = group.ToList();
            text.AppendLine(Invariant($"- {group.Key}: secret-shared − plain {Difference(list, r => r.Shared.Auc - r.Plain.Auc)}; ") +
                Invariant($"secret-shared − local-only {Difference(list, r => r.Shared.Auc - r.LocalOnlyMean.Auc)}; ") +
                Invariant($"secret-shared − centralized {Difference(list, r => r.Shared.Auc - r.Centralized.Auc)}; ") +
                Invariant($"round time secret-shared / plain {list.Average(r => r.SharedRoundSeconds) / list.Average(r => r.PlainRoundSeconds):F2}"));
        }
        return text.ToString();
    }

    private static void Row(StringBuilder text, string dataset, string method, IEnumerable<Score> scores, string seconds, string bytes)
    {
        var summary = MethodSummary.Of(method, scores);
        text.AppendLine(Invariant($"| {dataset} | {method} | {summary.Auc.Count} | {summary.Auc.Mean:F4} ± {summary.Auc.StandardDeviation:F4} [{summary.Auc.Low:F4}, {summary.Auc.High:F4}] | {summary.Accuracy.Mean:F4} ± {summary.Accuracy.StandardDeviation:F4} | {seconds} | {bytes} |"));
    }

    private static string Seconds(IEnumerable<double> values)
    {
        var summary = SeedSummary.Of(values.Where(v => !double.IsNaN(v)));
        return Invariant($"{summary.Mean:F1} ± {summary.StandardDeviation:F1}");
    }

    private static string Difference(IEnumerable<Run> runs, Func<Run, double> difference)
    {
        var summary = SeedSummary.Of(runs.Select(difference).Where(d => !double.IsNaN(d)));
        return Invariant($"{Signed(summary.Mean)} ± {summary.StandardDeviation:F4} [{Signed(summary.Low)}, {Signed(summary.High)}]");
    }

    /// <summary>A difference with its sign; one that rounds to zero is written 0.0000 (not "-+0.0000").</summary>
    private static string Signed(double value)
    {
        var rounded = Math.Round(value, 4);
        return rounded == 0 ? "0.0000" : rounded.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
