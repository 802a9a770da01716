using System.Globalization;
using Swarm.Learning.Data;
using Swarm.Learning.Data.Partitioning;
using Swarm.Learning.DataVectors;
using Swarm.Learning.Metrics;
using Swarm.Learning.Training;
using Swarm.Learning.Transfer;

namespace Swarm.Node.Experiments;

/// <summary>
/// Data vectors against their baselines (Tian et al., arXiv 2408.13038): a model pre-trained on PneumoniaMNIST is
/// carried to each target data set (<see cref="ChannelAdaptation"/>: RetinaMNIST's 3 channels and 5 classes), every
/// site fine-tunes it on its share of the training split (IID or Dirichlet label skew) and publishes τ_j; the merges
/// (sum, mean, sample-weighted, validated λ) are compared with each site alone, random vectors of τ_j's per-layer
/// norms, fine-tuning on all the training data, and the synchronous swarm (FedAvg, in process, one local epoch per
/// round for as many rounds as the sites' fine-tuning epochs, so the same passes over the data). Then the
/// asynchronous run: the same vectors arrive one at a time, a last site joins after the first merge and the first
/// site publishes again after more fine-tuning; the merged model is scored after every arrival.
/// </summary>
public sealed class DataVectorExperiment(DataVectorSettings settings, TextWriter log)
{
    public const string Pretrained = "pre-trained only";
    public const string SingleMean = "single site (mean of sites)";
    public const string SingleBest = "single site (best by test AUC)";
    public const string RandomSum = "random vectors: sum";
    public const string RandomWeighted = "random vectors: sample-weighted";
    public const string FullData = "full-data fine-tuning";
    public const string Synchronous = "synchronous swarm (FedAvg)";

    public static string Merged(MergeRule rule) => "merged: " + rule.Name();

    /// <summary>The methods in the order of the report's table.</summary>
    public static IReadOnlyList<string> Methods { get; } =
    [
        Pretrained, SingleMean, SingleBest, .. Enum.GetValues<MergeRule>().Select(Merged), RandomSum, RandomWeighted,
        FullData, Synchronous,
    ];

    private readonly List<DataVectorMeasurement> _measurements = [];
    private readonly List<DataVectorArrival> _arrivals = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<DataVectorMeasurement> Measurements => _measurements;

    public IReadOnlyList<DataVectorArrival> Arrivals => _arrivals;

    /// <summary>What the run found worth saying beside the numbers (adaptation, agreed λ per run).</summary>
    public IReadOnlyList<string> Notes => _notes;

    public void Run(CancellationToken cancellation)
    {
        var pretraining = Limit(MedMnist.Load(settings.Pretraining));
        var targets = settings.Datasets.ToDictionary(d => d, d => Limit(MedMnist.Load(d)));
        foreach (var seed in settings.Seeds)
        {
            cancellation.ThrowIfCancellationRequested();
            var (sourceLayout, source) = Pretrain(pretraining, seed);
            foreach (var (name, splits) in targets)
            {
                var context = new TargetContext(settings, splits, seed);
                var adapted = context.Adapt(sourceLayout, source);
                Note(seed, name, $"carried from {settings.Pretraining}: first layer repeated over channels ({List(adapted.ChannelsRepeated)}), re-initialised ({List(adapted.Reinitialized)})");
                foreach (var partition in settings.Partitions)
                {
                    cancellation.ThrowIfCancellationRequested();
                    RunPartition(context, adapted.Parameters, name, partition, seed, cancellation);
                }
                context.Dispose();
            }
        }
    }

    private (ParameterLayout Layout, float[] Parameters) Pretrain(MedMnistSplits splits, int seed)
    {
        using var trainer = TorchTrainer.Create(settings.Model, splits.Train.Channels, splits.Train.Classes, 28, (ulong)seed);
        var data = splits.Train.ToTrainingData();
        for (var epoch = 0; epoch < settings.PretrainEpochs; epoch++)
        {
            trainer.TrainEpoch(data, Options((ulong)(seed * 100_000 + epoch)));
        }
        var test = ClassificationMetrics.Compute(trainer.Predict(splits.Test.Images, splits.Test.Shape()), splits.Test.Labels, splits.Test.Classes);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data-vectors: seed {seed}: pre-trained {settings.Model} on {settings.Pretraining} for {settings.PretrainEpochs} epochs, its test AUC {test.Auc:F4}"));
        var parameters = new float[trainer.Layout.TotalLength];
        trainer.GetParameters(parameters);
        return (trainer.Layout, parameters);
    }

    private void RunPartition(TargetContext context, float[] pre, string dataset, string partition, int seed,
        CancellationToken cancellation)
    {
        var splits = context.Splits;
        var partitioner = partition == "iid" ? (IPartitioner)new IidPartitioner() : new DirichletLabelPartitioner(settings.Alpha, minPerSite: 2);
        var trainParts = partitioner.Partition(splits.Train, settings.Sites, (ulong)seed).Apply(splits.Train);
        var valPartition = partitioner.Partition(splits.Val, settings.Sites, (ulong)seed + 77);
        var sites = Enumerable.Range(1, settings.Sites).Select(i => $"site-{i}").ToArray();
        void Record(string method, float[] parameters)
        {
            var (test, val) = context.Score(parameters);
            _measurements.Add(new DataVectorMeasurement(dataset, partition, seed, method, test.Auc, test.Accuracy, val.Auc));
        }
        Record(Pretrained, pre);

        // Each site fine-tunes θ_pre on its own data and publishes τ_j.
        var pool = new DataVectorPool(pre);
        var finetuned = new float[sites.Length][];
        var singles = new List<DataVectorMeasurement>();
        for (var j = 0; j < sites.Length; j++)
        {
            cancellation.ThrowIfCancellationRequested();
            finetuned[j] = context.FineTune(pre, trainParts[j].ToTrainingData(), settings.Epochs, SeedOf(seed, j, 0));
            var outcome = pool.Publish(DataVector.From(sites[j], pre, finetuned[j], trainParts[j].Count, 1));
            if (!outcome.Accepted)
            {
                throw new InvalidOperationException($"the experiment's own vector was refused: {outcome.Reason}");
            }
            var (test, val) = context.Score(finetuned[j]);
            singles.Add(new DataVectorMeasurement(dataset, partition, seed, sites[j], test.Auc, test.Accuracy, val.Auc));
        }
        _measurements.Add(new DataVectorMeasurement(dataset, partition, seed, SingleMean, singles.Average(s => s.TestAuc),
            singles.Average(s => s.TestAccuracy), singles.Average(s => s.ValAuc)));
        _measurements.Add(singles.MaxBy(s => s.TestAuc)! with { Method = SingleBest });

        float[] Finish(float[] merged) => context.RestoreBatchNorm(merged, trainParts, sites);
        foreach (var rule in new[] { MergeRule.Sum, MergeRule.Mean, MergeRule.SampleWeighted })
        {
            Record(Merged(rule), Finish(DataVectorMerge.Merge(pre, pool, rule, mergedLength: context.Trainable)));
        }
        var lambda = AgreedLambda(context, pre, pool, valPartition, sites);
        Note(seed, dataset, string.Create(CultureInfo.InvariantCulture, $"{partition}: agreed λ = {lambda:G4} (n = {sites.Length}: mean is {1.0 / sites.Length:G3}, sum 1)"));
        Record(Merged(MergeRule.Validated), Finish(DataVectorMerge.Merge(pre, pool, MergeRule.Validated, lambda, context.Trainable)));

        var random = new DataVectorPool(pre);
        for (var j = 0; j < sites.Length; j++)
        {
            random.Publish(RandomDataVector.Like(pool.Of(sites[j])!, context.Layout, (ulong)(seed * 7919 + j)));
        }
        Record(RandomSum, Finish(DataVectorMerge.Merge(pre, random, MergeRule.Sum, mergedLength: context.Trainable)));
        Record(RandomWeighted, Finish(DataVectorMerge.Merge(pre, random, MergeRule.SampleWeighted, mergedLength: context.Trainable)));

        cancellation.ThrowIfCancellationRequested();
        Record(FullData, context.FineTune(pre, splits.Train.ToTrainingData(), settings.Epochs, SeedOf(seed, 99, 0)));
        Record(Synchronous, FedAvg(context, pre, trainParts, sites, seed, cancellation));
        log.WriteLine(Summary(dataset, partition, seed));

        if (partition == settings.Partitions[^1])
        {
            Asynchrony(context, pre, dataset, partition, seed, trainParts, finetuned, sites);
        }
    }

    /// <summary>Every site scores θ_pre + λ·Σ τ over the grid by cross-entropy on its own share of the validation
    /// split (defined however few images or classes the share holds) and proposes its best λ; the median is agreed.</summary>
    private double AgreedLambda(TargetContext context, float[] pre, DataVectorPool pool, SitePartition valPartition,
        string[] sites)
    {
        var val = context.Splits.Val;
        var losses = new Dictionary<double, double[]>();
        foreach (var lambda in settings.LambdaGrid)
        {
            var merged = context.RestoreBatchNorm(
                DataVectorMerge.Merge(pre, pool, MergeRule.Validated, lambda, context.Trainable), null, sites);
            var probabilities = context.Predict(merged, val);
            losses[lambda] = [.. valPartition.Sites.Select(indices => SiteLoss(probabilities, val, indices))];
        }
        var proposals = sites.Select((_, j) => LambdaAgreement.Propose(settings.LambdaGrid, l => -losses[l][j]));
        return LambdaAgreement.Agree(proposals);
    }

    private static double SiteLoss(float[] probabilities, ImageDataset val, int[] indices)
    {
        var classes = val.Classes;
        var p = new float[indices.Length * classes];
        var labels = new long[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            probabilities.AsSpan(indices[i] * classes, classes).CopyTo(p.AsSpan(i * classes, classes));
            labels[i] = val.Labels[indices[i]];
        }
        return indices.Length == 0 ? double.NaN : ClassificationMetrics.CrossEntropy(p, labels, classes);
    }

    /// <summary>FedAvg over the same sites from θ_pre: each round every site trains one epoch from the global model
    /// (its own optimizer state kept across rounds, as a site's trainer keeps it in the swarm) and the global model
    /// moves by the sample-weighted mean of the updates, which is <see cref="DataVectorMerge"/>'s sample-weighted
    /// rule over vectors taken from the round's global model (every float, running statistics included).</summary>
    private float[] FedAvg(TargetContext context, float[] pre, ImageDataset[] parts, string[] sites, int seed,
        CancellationToken cancellation)
    {
        var trainers = sites.Select(_ => context.NewTrainer()).ToArray();
        try
        {
            var global = pre;
            for (var round = 1; round <= settings.Epochs; round++)
            {
                cancellation.ThrowIfCancellationRequested();
                var pool = new DataVectorPool(global);
                for (var j = 0; j < sites.Length; j++)
                {
                    trainers[j].SetParameters(global);
                    trainers[j].TrainEpoch(parts[j].ToTrainingData(), Options(SeedOf(seed, j, round)));
                    var local = new float[global.Length];
                    trainers[j].GetParameters(local);
                    pool.Publish(DataVector.From(sites[j], global, local, parts[j].Count, round));
                }
                global = DataVectorMerge.Merge(global, pool, MergeRule.SampleWeighted);
            }
            return global;
        }
        finally
        {
            foreach (var trainer in trainers)
            {
                trainer.Dispose();
            }
        }
    }

    /// <summary>Sites 1 … n−1 publish one after another, site n joins after the first merge, then site 1 publishes
    /// again after as many epochs more (sequence 2, replacing its first vector); every arrival is merged and scored.</summary>
    private void Asynchrony(TargetContext context, float[] pre, string dataset, string partition, int seed,
        ImageDataset[] parts, float[][] finetuned, string[] sites)
    {
        var events = new List<(string Event, DataVector Vector)>();
        for (var j = 0; j < sites.Length; j++)
        {
            var what = j == sites.Length - 1 ? $"{sites[j]} joins and publishes" : $"{sites[j]} publishes";
            events.Add((what, DataVector.From(sites[j], pre, finetuned[j], parts[j].Count, 1)));
        }
        var longer = context.FineTune(finetuned[0], parts[0].ToTrainingData(), settings.Epochs, SeedOf(seed, 0, 1000));
        events.Add(($"{sites[0]} publishes again ({2 * settings.Epochs} epochs)", DataVector.From(sites[0], pre, longer, parts[0].Count, 2)));
        foreach (var rule in new[] { MergeRule.SampleWeighted, MergeRule.Sum })
        {
            var pool = new DataVectorPool(pre);
            var (test0, val0) = context.Score(pre);
            _arrivals.Add(new DataVectorArrival(dataset, partition, seed, 0, "pre-trained model", rule.Name(), 0, val0.Auc, test0.Auc));
            for (var step = 0; step < events.Count; step++)
            {
                var outcome = pool.Publish(events[step].Vector);
                if (!outcome.Accepted)
                {
                    throw new InvalidOperationException($"the asynchronous run's vector was refused: {outcome.Reason}");
                }
                var merged = context.RestoreBatchNorm(DataVectorMerge.Merge(pre, pool, rule, mergedLength: context.Trainable), parts, sites);
                var (test, val) = context.Score(merged);
                _arrivals.Add(new DataVectorArrival(dataset, partition, seed, step + 1, events[step].Event, rule.Name(),
                    pool.Count, val.Auc, test.Auc));
            }
        }
    }

    private string Summary(string dataset, string partition, int seed)
    {
        var rows = _measurements.Where(m => m.Dataset == dataset && m.Partition == partition && m.Seed == seed);
        return $"data-vectors: {dataset} {partition} seed {seed}: " + string.Join("; ", rows.Select(m =>
            string.Create(CultureInfo.InvariantCulture, $"{m.Method} {m.TestAuc:F3}")));
    }

    private void Note(int seed, string dataset, string text)
    {
        var line = $"seed {seed}, {dataset}: {text}";
        _notes.Add(line);
        log.WriteLine("data-vectors: " + line);
    }

    private TrainOptions Options(ulong seed) => new()
    {
        Optimizer = OptimizerKind.Adam, LearningRate = settings.LearningRate, BatchSize = settings.BatchSize,
        Seed = seed, Threads = settings.Threads,
    };

    private static ulong SeedOf(int seed, int site, int round) => (ulong)((seed * 1_000_000L) + (site * 10_000L) + round);

    private static string List(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);

    private MedMnistSplits Limit(MedMnistSplits splits) =>
        settings.TrainLimit > 0 && splits.Train.Count > settings.TrainLimit
            ? splits with { Train = splits.Train.Subset([.. Enumerable.Range(0, settings.TrainLimit)]) }
            : splits;

    /// <summary>One target data set in one seed: its model shape, an evaluation trainer and fine-tuning.</summary>
    private sealed class TargetContext : IDisposable
    {
        private readonly DataVectorSettings _settings;
        private readonly TorchTrainer _evaluator;
        private readonly int _seed;

        public TargetContext(DataVectorSettings settings, MedMnistSplits splits, int seed)
        {
            _settings = settings;
            Splits = splits;
            _seed = seed;
            _evaluator = NewTrainer();
        }

        public MedMnistSplits Splits { get; }

        public ParameterLayout Layout => _evaluator.Layout;

        public int Trainable => (int)_evaluator.Layout.TrainableLength;

        public TorchTrainer NewTrainer() =>
            TorchTrainer.Create(_settings.Model, Splits.Train.Channels, Splits.Train.Classes, 28, (ulong)(_seed + 1000));

        /// <summary>The pre-trained model carried into this data set's layout; what cannot be carried keeps this
        /// seed's initialisation of the target model (the same on every site).</summary>
        public AdaptedModel Adapt(ParameterLayout sourceLayout, float[] source)
        {
            using var fresh = NewTrainer();
            var initial = new float[fresh.Layout.TotalLength];
            fresh.GetParameters(initial);
            return ChannelAdaptation.Adapt(sourceLayout, source, fresh.Layout, initial);
        }

        public float[] FineTune(float[] start, TrainingData data, int epochs, ulong seed)
        {
            using var trainer = NewTrainer();
            trainer.SetParameters(start);
            for (var epoch = 0; epoch < epochs; epoch++)
            {
                trainer.TrainEpoch(data, new TrainOptions
                {
                    Optimizer = OptimizerKind.Adam, LearningRate = _settings.LearningRate, BatchSize = _settings.BatchSize,
                    Seed = seed + (ulong)epoch, Threads = _settings.Threads,
                });
            }
            var result = new float[start.Length];
            trainer.GetParameters(result);
            return result;
        }

        /// <summary>The merged model with BatchNorm statistics re-estimated by every site on its training share
        /// and pooled (<see cref="BatchNormMoments"/>); unchanged for a model without BatchNorm or without data.</summary>
        public float[] RestoreBatchNorm(float[] merged, ImageDataset[]? parts, string[] sites)
        {
            if (parts is null || BatchNormMoments.Pairs(Layout).Count == 0)
            {
                return merged;
            }
            var moments = new List<SiteMoments>();
            for (var j = 0; j < parts.Length; j++)
            {
                _evaluator.SetParameters(merged);
                _evaluator.ReestimateBatchNorm(parts[j].ToTrainingData());
                var estimate = new float[merged.Length];
                _evaluator.GetParameters(estimate);
                moments.Add(new SiteMoments(sites[j], parts[j].Count, estimate));
            }
            return BatchNormMoments.Pool(Layout, merged, moments);
        }

        public float[] Predict(float[] parameters, ImageDataset data)
        {
            _evaluator.SetParameters(parameters);
            return _evaluator.Predict(data.Images, data.Shape());
        }

        public (ClassificationResult Test, ClassificationResult Val) Score(float[] parameters) =>
            (ClassificationMetrics.Compute(Predict(parameters, Splits.Test), Splits.Test.Labels, Splits.Test.Classes),
             ClassificationMetrics.Compute(Predict(parameters, Splits.Val), Splits.Val.Labels, Splits.Val.Classes));

        public void Dispose() => _evaluator.Dispose();
    }
}
