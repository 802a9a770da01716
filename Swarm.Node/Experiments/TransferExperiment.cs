using System.Globalization;
using System.Text;
using Swarm.Learning.Data;
using Swarm.Learning.Metrics;
using Swarm.Learning.Statistics;
using Swarm.Learning.Training;
using Swarm.Learning.Transfer;
using Swarm.Node.Simulation.Reporting;

namespace Swarm.Node.Experiments;

/// <summary>
/// <c>swarm experiment transfer</c>: does an auxiliary model from another task help a small one (Zhang, Wang and Li
/// 2021 claim faster convergence and higher accuracy, most when data are scarce)? A SmallCnn is first trained on
/// PneumoniaMNIST (the source task's model; trained centrally here, standing in for the source chain's final
/// model), then BreastMNIST is trained by FedAvg over IID sites from a fraction of its training set, three ways:
/// from scratch, with the feature extractor initialized from the pneumonia model, and initialized and regularized
/// towards it (L2-SP). Per seed: the round at which the global model's validation AUC first reaches the target, and
/// the last round's test AUC; mean ± sd and 95 % intervals over seeds, paired differences against no transfer.
/// </summary>
public sealed class TransferExperiment(TransferExperiment.Settings settings, TextWriter log)
{
    public sealed record Settings
    {
        public IReadOnlyList<double> Fractions { get; init; } = [0.10, 0.25, 1.0];
        public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];
        public int Sites { get; init; } = 3;
        public int Rounds { get; init; } = 30;
        public int SourceEpochs { get; init; } = 3;
        public double TargetAuc { get; init; } = 0.80;
        public double Lambda { get; init; } = 1e-3;
        public int BatchSize { get; init; } = 32;
        public double LearningRate { get; init; } = 1e-3;
        public int Threads { get; init; } = 2;

        public string? Problem() =>
            Fractions.Count == 0 || Fractions.Any(f => !(f > 0 && f <= 1)) ? "--fractions must be numbers in (0, 1]"
            : Seeds.Count < 1 ? "--seeds needs at least one seed (three or more for an interval)"
            : Sites < 1 || Rounds < 1 || SourceEpochs < 1 ? "--sites, --rounds and --source-epochs must be at least 1"
            : !(TargetAuc > 0.5 && TargetAuc < 1) ? "--target-auc must be within (0.5, 1)"
            : !(Lambda > 0) ? "--lambda must be positive"
            : BatchSize < 1 || !(LearningRate > 0) || Threads < 1 ? "--batch, --lr and --threads must be positive"
            : null;
    }

    public static readonly TransferMode[] Modes = [TransferMode.None, TransferMode.Initialize, TransferMode.Regularize];

    /// <summary>One (fraction, mode, seed) run: validation AUC per round, the first round reaching the target (null:
    /// never), the last round's test AUC.</summary>
    public sealed record Run(double Fraction, TransferMode Mode, int Seed, IReadOnlyList<double> ValidationAuc, int? RoundsToTarget, double TestAuc);

    public IReadOnlyList<Run> Execute(string folder)
    {
        Directory.CreateDirectory(folder);
        var source = MedMnist.Load("pneumoniamnist");
        var target = MedMnist.Load("breastmnist");
        var runs = new List<Run>();
        foreach (var seed in settings.Seeds)
        {
            var (sourceLayout, sourceParameters, sourceAuc) = TrainSource(source, seed);
            log.WriteLine(Invariant($"transfer: seed {seed}: pneumonia model after {settings.SourceEpochs} epochs, test AUC {sourceAuc:F4}"));
            foreach (var fraction in settings.Fractions)
            {
                foreach (var mode in Modes)
                {
                    var run = Federated(target, fraction, mode, seed, sourceLayout, sourceParameters);
                    runs.Add(run);
                    var reached = run.RoundsToTarget?.ToString(CultureInfo.InvariantCulture) ?? "never";
                    log.WriteLine(Invariant($"transfer: seed {seed}, {fraction:P0} of breast, {Name(mode)}: rounds to AUC {settings.TargetAuc:F2}: {reached}, final test AUC {run.TestAuc:F4}"));
                }
            }
            File.WriteAllText(Path.Combine(folder, "transfer.md"), Markdown(runs));
        }
        Charts(folder, runs);
        File.WriteAllText(Path.Combine(folder, "transfer.md"), Markdown(runs));
        File.WriteAllText(Path.Combine(folder, "runs.csv"), Csv(runs));
        return runs;
    }

    private (ParameterLayout Layout, float[] Parameters, double TestAuc) TrainSource(MedMnistSplits source, int seed)
    {
        using var model = TorchTrainer.Create("smallcnn", source.Train.Channels, source.Train.Classes, source.Train.Height, (ulong)seed);
        var data = source.Train.ToTrainingData();
        for (var epoch = 0; epoch < settings.SourceEpochs; epoch++)
        {
            model.TrainEpoch(data, Options((ulong)(seed * 1_000 + epoch), null));
        }
        var parameters = new float[model.Layout.TotalLength];
        model.GetParameters(parameters);
        return (model.Layout, parameters, Auc(model, source.Test));
    }

    private Run Federated(MedMnistSplits target, double fraction, TransferMode mode, int seed, ParameterLayout sourceLayout, float[] sourceParameters)
    {
        var train = target.Train;
        var random = new Random(seed * 7_919 + (int)(fraction * 1_000));
        var chosen = Enumerable.Range(0, train.Count).OrderBy(_ => random.Next()).Take(Math.Max(settings.Sites * 2, (int)Math.Round(fraction * train.Count))).ToArray();
        var sites = Enumerable.Range(0, settings.Sites)
            .Select(s => train.Subset([.. chosen.Where((_, i) => i % settings.Sites == s)])).ToArray();
        var trainers = sites.Select(_ => TorchTrainer.Create("smallcnn", train.Channels, train.Classes, train.Height, (ulong)seed)).ToArray();
        TransferAnchor? anchor = null;
        try
        {
            var global = new float[trainers[0].Layout.TotalLength];
            trainers[0].GetParameters(global);
            if (mode != TransferMode.None)
            {
                var plan = LayerTransfer.Plan(trainers[0].Layout, sourceLayout, null, out var problem)
                    ?? throw new InvalidOperationException("transfer plan: " + problem);
                plan.Initialize(trainers[0], sourceLayout, sourceParameters);
                trainers[0].GetParameters(global);
                if (mode == TransferMode.Regularize)
                {
                    anchor = new TransferAnchor(plan, trainers[0].Layout, plan.Extract(sourceLayout, sourceParameters), settings.Lambda);
                }
            }
            var validation = new List<double>();
            int? reached = null;
            for (var round = 1; round <= settings.Rounds; round++)
            {
                var sum = new double[global.Length];
                long samples = 0;
                for (var s = 0; s < trainers.Length; s++)
                {
                    trainers[s].SetParameters(global);
                    trainers[s].TrainEpoch(sites[s].ToTrainingData(), Options((ulong)(seed * 100_000 + round * 100 + s), anchor));
                    var local = new float[global.Length];
                    trainers[s].GetParameters(local);
                    for (var i = 0; i < local.Length; i++)
                    {
                        sum[i] += local[i] * (double)sites[s].Count;
                    }
                    samples += sites[s].Count;
                }
                for (var i = 0; i < global.Length; i++)
                {
                    global[i] = (float)(sum[i] / samples);
                }
                trainers[0].SetParameters(global);
                var auc = Auc(trainers[0], target.Val);
                validation.Add(auc);
                if (reached is null && auc >= settings.TargetAuc)
                {
                    reached = round;
                }
            }
            return new Run(fraction, mode, seed, validation, reached, Auc(trainers[0], target.Test));
        }
        finally
        {
            anchor?.Dispose();
            foreach (var trainer in trainers)
            {
                trainer.Dispose();
            }
        }
    }

    private TrainOptions Options(ulong seed, TransferAnchor? anchor) => new()
    {
        Optimizer = OptimizerKind.Adam,
        LearningRate = settings.LearningRate,
        BatchSize = settings.BatchSize,
        Seed = seed,
        Threads = settings.Threads,
        Transfer = anchor,
    };

    private static double Auc(ITrainer model, ImageDataset data)
    {
        var probabilities = model.Predict(data.Images, data.Shape());
        var scores = new double[data.Count];
        var positive = new bool[data.Count];
        for (var i = 0; i < data.Count; i++)
        {
            scores[i] = probabilities[i * model.Classes + 1];
            positive[i] = data.Labels[i] == 1;
        }
        return RocAuc.Compute(scores, positive);
    }

    public static string Name(TransferMode mode) => mode switch
    {
        TransferMode.None => "no transfer",
        TransferMode.Initialize => "initialize (features)",
        _ => "initialize + L2-SP",
    };

    public string Markdown(IReadOnlyList<Run> runs)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"BreastMNIST, FedAvg over {settings.Sites} IID sites, {settings.Rounds} rounds of one local epoch (Adam {settings.LearningRate}, batch {settings.BatchSize}), SmallCnn; "))
            .AppendLine(Invariant($"auxiliary model: SmallCnn trained {settings.SourceEpochs} epochs on PneumoniaMNIST (per seed); L2-SP λ = {settings.Lambda}; seeds {string.Join(", ", settings.Seeds)}."))
            .AppendLine()
            .AppendLine(Invariant($"| breast train data | method | reached AUC {settings.TargetAuc:F2} | rounds to target (mean ± sd, runs that reached it) | final test AUC (mean ± sd) | 95 % interval |"))
            .AppendLine("|---|---|---|---|---|---|");
        foreach (var fraction in settings.Fractions)
        {
            foreach (var mode in Modes)
            {
                var group = runs.Where(r => r.Fraction == fraction && r.Mode == mode).ToList();
                if (group.Count == 0)
                {
                    continue;
                }
                var rounds = SeedSummary.Of(group.Where(r => r.RoundsToTarget is not null).Select(r => (double)r.RoundsToTarget!.Value));
                var test = SeedSummary.Of(group.Select(r => r.TestAuc));
                text.AppendLine(Invariant($"| {fraction:P0} | {Name(mode)} | {group.Count(r => r.RoundsToTarget is not null)}/{group.Count} | {rounds.Mean:F1} ± {rounds.StandardDeviation:F1} | {test.Mean:F4} ± {test.StandardDeviation:F4} | [{test.Low:F4}, {test.High:F4}] |"));
            }
        }
        text.AppendLine().AppendLine("Paired differences against no transfer (same seed, same data): final test AUC, 95 % interval of the mean difference.")
            .AppendLine().AppendLine("| breast train data | method | Δ test AUC (mean) | 95 % interval | excludes 0 |").AppendLine("|---|---|---|---|---|");
        foreach (var fraction in settings.Fractions)
        {
            foreach (var mode in Modes.Skip(1))
            {
                var diffs = runs.Where(r => r.Fraction == fraction && r.Mode == mode)
                    .Select(r => r.TestAuc - runs.Single(b => b.Fraction == fraction && b.Seed == r.Seed && b.Mode == TransferMode.None).TestAuc).ToList();
                if (diffs.Count == 0)
                {
                    continue;
                }
                var d = SeedSummary.Of(diffs);
                text.AppendLine(Invariant($"| {fraction:P0} | {Name(mode)} | {d.Mean:+0.0000;-0.0000} | [{d.Low:+0.0000;-0.0000}, {d.High:+0.0000;-0.0000}] | {(d.ExcludesZero ? "yes" : "no")} |"));
            }
        }
        return text.ToString();
    }

    private void Charts(string folder, IReadOnlyList<Run> runs)
    {
        foreach (var fraction in settings.Fractions)
        {
            var chart = new RoundChart(Invariant($"BreastMNIST, {fraction:P0} of the training data: mean validation AUC over {settings.Seeds.Count} seeds"), "validation AUC");
            foreach (var mode in Modes)
            {
                var group = runs.Where(r => r.Fraction == fraction && r.Mode == mode).ToList();
                chart.Add(Name(mode), Enumerable.Range(0, settings.Rounds).Select(i => (i + 1, group.Average(r => r.ValidationAuc[i]))));
            }
            chart.Reference(Invariant($"target {settings.TargetAuc:F2}"), settings.TargetAuc);
            chart.Save(folder, Invariant($"validation-auc-{(int)Math.Round(fraction * 100)}pct"));
        }
    }

    private static string Csv(IReadOnlyList<Run> runs)
    {
        var text = new StringBuilder("fraction,mode,seed,rounds_to_target,test_auc,validation_auc_by_round\n");
        foreach (var r in runs)
        {
            text.AppendLine(Invariant($"{r.Fraction},{r.Mode},{r.Seed},{r.RoundsToTarget?.ToString(CultureInfo.InvariantCulture) ?? ""},{r.TestAuc:F6},{string.Join(';', r.ValidationAuc.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))}"));
        }
        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
