using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Swarm.Learning.Data;
using Swarm.Learning.Privacy;
using Swarm.Learning.Training;

namespace Swarm.Node.Cli;

/// <summary><c>swarm train</c>: central training of one model on one MedMNIST data set, with per-epoch validation
/// and the test metrics of the best-validation epoch.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a model centrally on a MedMNIST data set and report test AUC/ACC.");
        var dataset = new Option<string>("--dataset") { Description = "pneumoniamnist, breastmnist or retinamnist", DefaultValueFactory = _ => "pneumoniamnist" };
        var model = new Option<string>("--model") { Description = "smallcnn, resnet18, resnet18-gn", DefaultValueFactory = _ => "smallcnn" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 30 };
        var batchSize = new Option<int>("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Initial learning rate", DefaultValueFactory = _ => 1e-3 };
        var schedule = new Option<LearningRateSchedule>("--schedule") { Description = "Constant or MultiStep (x0.1 at 50% and 75% of the epochs)", DefaultValueFactory = _ => LearningRateSchedule.MultiStep };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "Adam or Sgd", DefaultValueFactory = _ => OptimizerKind.Adam };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => 0.9 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "L2 weight decay", DefaultValueFactory = _ => 0.0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initialisation, shuffling and noise", DefaultValueFactory = _ => 1UL };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => 2 };
        var noise = new Option<double?>("--noise-multiplier") { Description = "Enables DP-SGD with this noise multiplier σ" };
        var clip = new Option<double>("--clip") { Description = "DP-SGD per-example clip norm C", DefaultValueFactory = _ => 1.0 };
        var delta = new Option<double>("--delta") { Description = "DP-SGD δ of the ε printed at the end", DefaultValueFactory = _ => 1e-5 };
        var seededNoise = new Option<bool>("--seeded-noise") { Description = "DP-SGD noise and sampling from --seed: reproducible and NOT PRIVATE (default: the OS CSPRNG)" };
        foreach (var option in new Option[] { dataset, model, epochs, batchSize, lr, schedule, optimizer, momentum, weightDecay, seed, threads, noise, clip, delta, seededNoise })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, ct) => Task.FromResult(Run(new Settings(
            parse.GetValue(dataset)!, parse.GetValue(model)!, parse.GetValue(epochs), parse.GetValue(schedule),
            new TrainOptions
            {
                Optimizer = parse.GetValue(optimizer), LearningRate = parse.GetValue(lr),
                Momentum = parse.GetValue(optimizer) == OptimizerKind.Sgd ? parse.GetValue(momentum) : 0,
                WeightDecay = parse.GetValue(weightDecay), BatchSize = parse.GetValue(batchSize),
                Seed = parse.GetValue(seed), Threads = parse.GetValue(threads),
            },
            parse.GetValue(noise), parse.GetValue(clip), parse.GetValue(delta), parse.GetValue(seededNoise)), ct)));
        return command;
    }

    private sealed record Settings(string Dataset, string Model, int Epochs, LearningRateSchedule Schedule,
        TrainOptions Options, double? NoiseMultiplier, double ClipNorm, double Delta, bool SeededNoise);

    private static int Run(Settings settings, CancellationToken cancellation)
    {
        if (settings.Epochs < 1 || settings.Options.BatchSize < 1 || settings.Options.Threads < 1)
        {
            Console.Error.WriteLine("swarm train: --epochs, --batch-size and --threads must be at least 1");
            return ExitCodes.Usage;
        }
        MedMnistSplits splits;
        try
        {
            splits = MedMnist.Load(settings.Dataset);
        }
        catch (DataSetException e)
        {
            Console.Error.WriteLine($"swarm train: {e.Message}");
            return ExitCodes.Environment;
        }
        var train = splits.Train;
        var options = settings.NoiseMultiplier is { } sigma
            ? settings.Options with
            {
                Privacy = new DpOptions(settings.ClipNorm, sigma, (double)settings.Options.BatchSize / train.Count)
                {
                    Randomness = settings.SeededNoise ? NoiseRandomness.Seeded : NoiseRandomness.Secure,
                },
            }
            : settings.Options;
        if (options.Privacy is not null && !(settings.Delta is > 0 and < 1))
        {
            Console.Error.WriteLine("swarm train: --delta must be in (0, 1)");
            return ExitCodes.Usage;
        }
        try
        {
            TorchRuntime.SetThreads(options.Threads);
            using var trainer = TorchTrainer.Create(settings.Model, train.Channels, train.Classes, train.Height, options.Seed);
            Console.WriteLine($"swarm train: {settings.Dataset} ({train.Count}/{splits.Val.Count}/{splits.Test.Count}), " +
                $"{settings.Model} ({trainer.Layout.TrainableLength:N0} parameters), {settings.Epochs} epochs, " +
                $"{options.Optimizer} lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)} ({settings.Schedule}), " +
                $"batch {options.BatchSize}, seed {options.Seed}, {options.Threads} threads" +
                (options.Privacy is { } dp ? $", DP-SGD σ={dp.NoiseMultiplier} C={dp.ClipNorm} q={dp.SamplingRate:F4}, {NoiseLabel(dp)}" : ""));
            var result = TrainWithProgress(trainer, splits, settings.Epochs, options, settings.Schedule, cancellation);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best validation epoch {result.BestEpoch}: test loss {result.TestLoss:F4}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test auc={result.Test.Auc:F4} acc={result.Test.Accuracy:F4}"));
            if (options.Privacy is { } privacy)
            {
                PrintEpsilon(privacy, settings.Epochs, settings.Delta);
            }
            return ExitCodes.Ok;
        }
        catch (TorchException e)
        {
            Console.Error.WriteLine($"swarm train: {e.Message}");
            return e.Status == TorchStatus.LibraryMissing ? ExitCodes.Environment : ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("swarm train: interrupted");
            return ExitCodes.Interrupted;
        }
    }

    private static string NoiseLabel(DpOptions dp) => dp.Randomness == NoiseRandomness.Secure
        ? "noise from the OS CSPRNG"
        : "noise seeded from --seed: NOT PRIVATE (anyone who knows the seed can remove it)";

    /// <summary>ε of the whole run: every epoch takes round(1/q) Poisson-sampled steps (RDP accountant).</summary>
    private static void PrintEpsilon(DpOptions dp, int epochs, double delta)
    {
        var stepsPerEpoch = Math.Max(1, (long)Math.Round(1.0 / dp.SamplingRate, MidpointRounding.AwayFromZero));
        var steps = stepsPerEpoch * epochs;
        if (dp.NoiseMultiplier <= 0)
        {
            Console.WriteLine($"privacy: {steps} steps without noise → ε = ∞ (no differential privacy)");
            return;
        }
        var epsilon = RdpAccountant.ComputeEpsilon(dp.SamplingRate, dp.NoiseMultiplier, steps, delta);
        var label = dp.Randomness == NoiseRandomness.Secure ? "" : " (NOT PRIVATE: seeded noise)";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"privacy: {steps} steps of q={dp.SamplingRate:G4} σ={dp.NoiseMultiplier} → ε={epsilon.Epsilon:F3} at δ={delta:G3} (RDP order {epsilon.Order:G3}){label}"));
    }

    private static CentralTrainingResult TrainWithProgress(TorchTrainer trainer, MedMnistSplits splits, int epochs,
        TrainOptions options, LearningRateSchedule schedule, CancellationToken cancellation)
    {
        CentralTrainingResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("training", maxValue: epochs);
                result = CentralTraining.Run(trainer, splits, epochs, options, schedule, report =>
                {
                    AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"epoch {report.Epoch,3}/{epochs} lr {report.LearningRate:G2} loss {report.TrainLoss:F4} | " +
                        $"val loss {report.ValidationLoss:F4} auc {report.Validation.Auc:F4} " +
                        $"acc {report.Validation.Accuracy:F4} | {report.Elapsed.TotalSeconds:F1}s"));
                    task.Increment(1);
                }, cancellation);
            });
        return result!;
    }
}
