using System.Diagnostics;
using System.Globalization;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Node.Simulation;
using Swarm.Tasks;

namespace Swarm.Node.Experiments;

/// <summary>
/// Dopamine's comparison (Malekzadeh et al. 2021, §5) on MedMNIST: centralized SGD, central DP-SGD, FedAvg, FedAvg
/// with per-site DP-SGD (the task's <c>local</c> mode) and Dopamine, over the same IID sites, at several seeds, with
/// test ACC/AUC of the final model (no model selection, which would spend privacy) and ε from the RDP accountant.
/// Every DP method samples at the same q = b / site samples = K·b / all samples and uses the same σ and C, so the
/// differences are where the noise goes: per-site DP adds σC at every site before averaging, Dopamine adds σC/√K at
/// every site and only the sum is revealed (what secure aggregation gives in the rounds; here the sum is formed in
/// memory, which secure aggregation reproduces up to fixed-point rounding, docs/secure-aggregation.md).
/// Noise and Poisson masks come from the OS CSPRNG (private mode); a seed fixes the split, the initial model and the
/// non-private shuffling.
/// </summary>
public sealed class DopamineExperiment(DopamineSettings settings, TextWriter log)
{
    public const string Centralized = "centralized";
    public const string CentralDp = "central DP-SGD";
    public const string FedAvg = "FedAvg";
    public const string LocalDp = "FedAvg + per-site DP";
    public const string Dopamine = "Dopamine";

    public static IReadOnlyList<string> Methods { get; } = [Centralized, CentralDp, FedAvg, LocalDp, Dopamine];

    /// <summary>Runs every data set at every seed; returns every method's result.</summary>
    public IReadOnlyList<DopamineMethodResult> Run(CancellationToken cancellation)
    {
        var results = new List<DopamineMethodResult>();
        foreach (var dataset in settings.Datasets)
        {
            var splits = SiteSplits.Limit(MedMnist.Load(dataset), settings.TrainLimit);
            foreach (var seed in settings.Seeds)
            {
                results.AddRange(RunSeed(dataset, splits, seed, cancellation));
            }
        }
        return results;
    }

    private IEnumerable<DopamineMethodResult> RunSeed(string dataset, MedMnistSplits splits, int seed, CancellationToken cancellation)
    {
        var split = new SimulationOptions { Sites = settings.Sites, Partition = "iid", Seed = seed, Dataset = dataset };
        var sites = SiteSplits.Create(splits, split).Select(s => s.Train).ToArray();
        var run = new SeedRun(settings, splits, sites, seed);
        foreach (var method in Methods)
        {
            cancellation.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            var (metrics, epsilon, q, steps) = run.Train(method, cancellation);
            var result = new DopamineMethodResult(dataset, seed, method, metrics.Auc, metrics.Accuracy, epsilon, q, steps, watch.Elapsed.TotalSeconds);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"dopamine: {dataset} seed {seed} {method}: test ACC {result.Accuracy:F4} AUC {result.Auc:F4} ε {result.Epsilon:G4} (q {q:G4}, {steps} steps, {result.Seconds:F0} s)"));
            yield return result;
        }
    }

    /// <summary>One seed's data and models: every method starts from the same initial model.</summary>
    private sealed class SeedRun(DopamineSettings settings, MedMnistSplits splits, ImageDataset[] sites, int seed)
    {
        private readonly TrainingData[] _sites = [.. sites.Select(s => s.ToTrainingData())];
        private readonly int _total = sites.Sum(s => s.Count);

        private int K => sites.Length;

        private TrainOptions Options(int batch, ulong step) => new()
        {
            Optimizer = OptimizerKind.Sgd,
            LearningRate = settings.LearningRate,
            Momentum = 0,
            BatchSize = batch,
            Seed = ((ulong)seed * 1_000_003UL) + step,
            Threads = settings.Threads,
        };

        /// <summary>q shared by every DP method: K·b over all samples (b over a site's samples, up to the split's ±1).</summary>
        private double CentralQ => SitePrivacyPlan.SamplingRateOf(K * settings.SiteBatch, _total);

        public (Swarm.Learning.Metrics.ClassificationResult Metrics, double Epsilon, double SamplingRate, long Steps) Train(
            string method, CancellationToken cancellation)
        {
            var train = splits.Train;
            using var trainer = TorchTrainer.Create(settings.Model, train.Channels, train.Classes, train.Height, (ulong)seed);
            var (epsilon, q, steps) = method switch
            {
                Centralized => Central(trainer, null, cancellation),
                CentralDp => Central(trainer, new DpOptions(settings.ClipNorm, settings.NoiseMultiplier, CentralQ), cancellation),
                FedAvg => Federated(trainer, dp: false, cancellation),
                LocalDp => Federated(trainer, dp: true, cancellation),
                Dopamine => DopamineRounds(trainer, cancellation),
                _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown method"),
            };
            return (CentralTraining.Evaluate(trainer, splits.Test).Metrics, epsilon, q, steps);
        }

        /// <summary>The pooled sites' data, batch K·b, the epoch budget; with DP-SGD at q = K·b / all samples.</summary>
        private (double, double, long) Central(ITrainer trainer, DpOptions? dp, CancellationToken cancellation)
        {
            var pooled = Pool();
            for (var e = 0; e < settings.Epochs; e++)
            {
                cancellation.ThrowIfCancellationRequested();
                trainer.TrainEpoch(pooled, Options(K * settings.SiteBatch, (ulong)e) with { Privacy = dp });
            }
            if (dp is null)
            {
                return (double.PositiveInfinity, double.NaN, 0);
            }
            var steps = (long)settings.Epochs * dp.StepsPerCall;
            return (SitePrivacyPlan.EpsilonOf(dp.SamplingRate, dp.NoiseMultiplier, steps, settings.Delta), dp.SamplingRate, steps);
        }

        /// <summary>FedAvg: a round is one local epoch at every site (batch b), averaged by sample count; with per-site
        /// DP each site runs DP-SGD at q_i = b / its samples and σ, and ε is the largest site's.</summary>
        private (double, double, long) Federated(ITrainer trainer, bool dp, CancellationToken cancellation)
        {
            var global = Parameters(trainer);
            for (var round = 0; round < settings.Epochs; round++)
            {
                var sum = new double[global.Length];
                for (var s = 0; s < K; s++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    trainer.SetParameters(global);
                    var privacy = dp ? new DpOptions(settings.ClipNorm, settings.NoiseMultiplier, SiteQ(s)) : null;
                    trainer.TrainEpoch(_sites[s], Options(settings.SiteBatch, (ulong)((round * K) + s)) with { Privacy = privacy });
                    Accumulate(sum, Parameters(trainer), global, sites[s].Count);
                }
                global = Step(global, sum, _total);
            }
            trainer.SetParameters(global);
            if (!dp)
            {
                return (double.PositiveInfinity, double.NaN, 0);
            }
            var worst = Enumerable.Range(0, K)
                .Select(s => (Q: SiteQ(s), Steps: (long)settings.Epochs * DpOptions.StepsPerEpoch(SiteQ(s))))
                .Select(p => (p.Q, p.Steps, Epsilon: SitePrivacyPlan.EpsilonOf(p.Q, settings.NoiseMultiplier, p.Steps, settings.Delta)))
                .MaxBy(p => p.Epsilon);
            return (worst.Epsilon, worst.Q, worst.Steps);
        }

        /// <summary>Dopamine: T rounds of one DP-SGD step at every site (q_i = b / its samples, noise σ/√K), the Δ
        /// summed with weight 1 and divided by K (<see cref="DopamineTerms"/>); T matches the epoch budget
        /// (T = epochs × round(1/q)). ε of central DP-SGD at (q_i, σ, T), the largest site's.</summary>
        private (double, double, long) DopamineRounds(ITrainer trainer, CancellationToken cancellation)
        {
            var steps = (long)settings.Epochs * DpOptions.StepsPerEpoch(CentralQ);
            var siteSigma = DopamineTerms.SiteNoiseMultiplier(settings.NoiseMultiplier, K);
            var global = Parameters(trainer);
            for (var t = 0L; t < steps; t++)
            {
                var sum = new double[global.Length];
                for (var s = 0; s < K; s++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    trainer.SetParameters(global);
                    var privacy = new DpOptions(settings.ClipNorm, siteSigma, SiteQ(s)) { Steps = 1 };
                    trainer.TrainEpoch(_sites[s], Options(settings.SiteBatch, (ulong)((t * K) + s)) with { Privacy = privacy });
                    Accumulate(sum, Parameters(trainer), global, 1);
                }
                global = Step(global, sum, K);
            }
            trainer.SetParameters(global);
            var worst = Enumerable.Range(0, K).Select(SiteQ).Max();
            return (SitePrivacyPlan.EpsilonOf(worst, settings.NoiseMultiplier, steps, settings.Delta), worst, steps);
        }

        private double SiteQ(int site) => SitePrivacyPlan.SamplingRateOf(settings.SiteBatch, sites[site].Count);

        private TrainingData Pool()
        {
            var images = sites.SelectMany(s => s.Images).ToArray();
            var labels = sites.SelectMany(s => s.Labels).ToArray();
            var first = sites[0];
            return new ImageDataset("pooled", first.Channels, first.Height, first.Width, first.Classes, images, labels).ToTrainingData();
        }

        private static float[] Parameters(ITrainer trainer)
        {
            var values = new float[checked((int)trainer.Layout.TotalLength)];
            trainer.GetParameters(values);
            return values;
        }

        private static void Accumulate(double[] sum, float[] local, float[] global, double weight)
        {
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += weight * (local[i] - global[i]);
            }
        }

        private static float[] Step(float[] global, double[] sum, double divisor)
        {
            var next = new float[global.Length];
            for (var i = 0; i < next.Length; i++)
            {
                next[i] = (float)(global[i] + (sum[i] / divisor));
            }
            return next;
        }
    }
}
