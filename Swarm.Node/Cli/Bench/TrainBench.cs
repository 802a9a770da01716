using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Swarm.Learning.Training;

namespace Swarm.Node.Cli.Bench;

/// <summary><c>swarm bench train</c>: SmallCnn training throughput of Swarm's engine against PyTorch (Debian
/// python3-torch running native/tools/bench_train.py) on the same kind of data, batch and threads, measured in
/// turns within one run; and the cost of a DP-SGD step relative to a plain step.</summary>
public static class TrainBench
{
    private const string ScriptName = "bench_train.py";

    public static Command Create()
    {
        var command = new Command("train", "Training img/s of Swarm vs PyTorch (SmallCnn, 28x28) and DP-SGD step cost.");
        var threads = new Option<int>("--threads") { Description = "Threads for both engines", DefaultValueFactory = _ => 2 };
        var batch = new Option<int>("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => 128 };
        var images = new Option<int>("--images") { Description = "Images per epoch", DefaultValueFactory = _ => 2560 };
        var epochs = new Option<int>("--epochs") { Description = "Timed epochs per turn", DefaultValueFactory = _ => 3 };
        var turns = new Option<int>("--turns") { Description = "Alternating turns of each engine (best is kept)", DefaultValueFactory = _ => 3 };
        var python = new Option<string>("--python") { Description = "Python with torch", DefaultValueFactory = _ => "/usr/bin/python3" };
        foreach (var option in new Option[] { threads, batch, images, epochs, turns, python })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => Run(new Settings(parse.GetValue(threads), parse.GetValue(batch), parse.GetValue(images),
            parse.GetValue(epochs), parse.GetValue(turns), parse.GetValue(python)!)));
        return command;
    }

    private sealed record Settings(int Threads, int BatchSize, int Images, int Epochs, int Turns, string Python);

    private static int Run(Settings s)
    {
        if (s.Threads < 1 || s.BatchSize < 1 || s.Images < s.BatchSize || s.Epochs < 1 || s.Turns < 1)
        {
            Console.Error.WriteLine("swarm bench train: threads, epochs, turns >= 1 and images >= batch size");
            return ExitCodes.Usage;
        }
        var script = FindScript();
        if (script is null)
        {
            Console.Error.WriteLine($"swarm bench train: {ScriptName} not found beside the binary or under native/tools");
            return ExitCodes.Environment;
        }
        try
        {
            TorchRuntime.SetThreads(s.Threads);
            var data = RandomImages(s.Images);
            Console.WriteLine($"swarm bench train: SmallCnn 1x28x28, {s.Images} images, batch {s.BatchSize}, Adam, " +
                $"{s.Threads} threads, {s.Epochs} timed epochs x {s.Turns} turns per engine (best turn kept)");
            double swarmBest = 0, torchBest = 0;
            for (var turn = 1; turn <= s.Turns; turn++)
            {
                var swarm = SwarmImagesPerSecond(data, s, privacy: null, out _);
                var torch = TorchImagesPerSecond(script, s);
                Console.WriteLine(Invariant($"turn {turn}: swarm {swarm:F0} img/s, pytorch {torch:F0} img/s"));
                swarmBest = Math.Max(swarmBest, swarm);
                torchBest = Math.Max(torchBest, torch);
            }
            Console.WriteLine(Invariant($"swarm {swarmBest:F0} img/s, pytorch {torchBest:F0} img/s"));
            Console.WriteLine(Invariant($"throughput ratio swarm/pytorch = {swarmBest / torchBest:F3} (goal >= 0.95)"));
            PrintDpCost(data, s);
            return ExitCodes.Ok;
        }
        catch (TorchException e)
        {
            Console.Error.WriteLine($"swarm bench train: {e.Message}");
            return ExitCodes.Environment;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"swarm bench train: {e.Message}");
            return ExitCodes.Environment;
        }
    }

    // DP-SGD with q = batch/N takes round(1/q) Poisson steps of expected size `batch` per epoch, the same number
    // of steps as a plain epoch, so the ratio of epoch times is the ratio of step times.
    private static void PrintDpCost(TrainingData data, Settings s)
    {
        var privacy = new DpOptions(1.0, 1.0, (double)s.BatchSize / s.Images);
        double plainStep = double.MaxValue, dpStep = double.MaxValue;
        for (var turn = 0; turn < s.Turns; turn++)
        {
            SwarmImagesPerSecond(data, s, null, out var plain);
            SwarmImagesPerSecond(data, s, privacy, out var dp);
            plainStep = Math.Min(plainStep, plain);
            dpStep = Math.Min(dpStep, dp);
        }
        Console.WriteLine(Invariant($"step time: plain {plainStep * 1e3:F1} ms, DP-SGD {dpStep * 1e3:F1} ms (σ=1, C=1, Poisson q={privacy.SamplingRate:F4})"));
        Console.WriteLine(Invariant($"DP-SGD step / plain step = {dpStep / plainStep:F3} (goal <= 2)"));
    }

    private static double SwarmImagesPerSecond(TrainingData data, Settings s, DpOptions? privacy, out double secondsPerStep)
    {
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 1);
        var options = new TrainOptions { BatchSize = s.BatchSize, Threads = s.Threads, Privacy = privacy };
        trainer.TrainEpoch(data, options);
        var steps = 0;
        var watch = Stopwatch.StartNew();
        for (var epoch = 0; epoch < s.Epochs; epoch++)
        {
            steps += trainer.TrainEpoch(data, options with { Seed = (ulong)epoch + 2 }).Steps;
        }
        var seconds = watch.Elapsed.TotalSeconds;
        secondsPerStep = seconds / steps;
        return (double)data.Count * s.Epochs / seconds;
    }

    private static double TorchImagesPerSecond(string script, Settings s)
    {
        var start = new ProcessStartInfo(s.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { script, "--threads", $"{s.Threads}", "--batch", $"{s.BatchSize}",
                     "--images", $"{s.Images}", "--epochs", $"{s.Epochs}" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["OMP_NUM_THREADS"] = $"{s.Threads}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {s.Python}");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("img_per_s=", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException(
                $"the PyTorch baseline failed (exit {process.ExitCode}; python3-torch comes from scripts/setup/10-libtorch.sh): {errors.Result.Trim()}");
        }
        return double.Parse(line["img_per_s=".Length..], CultureInfo.InvariantCulture);
    }

    private static TrainingData RandomImages(int count)
    {
        var random = new Random(1);
        var images = new float[count * 28 * 28];
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = (float)(random.NextDouble() * 2 - 1);
        }
        var labels = new long[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = random.Next(2);
        }
        return new TrainingData(images, labels, new ImageShape(1, 28, 28));
    }

    private static string? FindScript()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "tools", ScriptName) };
        var root = Environment.GetEnvironmentVariable("SWARM_ROOT");
        if (!string.IsNullOrEmpty(root))
        {
            candidates.Add(Path.Combine(root, "native", "tools", ScriptName));
        }
        return candidates.FirstOrDefault(File.Exists);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
