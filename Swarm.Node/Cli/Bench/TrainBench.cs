using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Swarm.Learning.Training;

namespace Swarm.Node.Cli.Bench;

/// <summary><c>swarm bench train</c>: training throughput of Swarm's engine (TorchSharp, LibTorch 2.10) against
/// PyTorch (Debian python3-torch 1.13 running tools/pytorch/bench_train.py) on the same model, kind of data, batch
/// and threads, measured in turns within one run; and the cost of a DP-SGD step relative to a plain step.</summary>
public static class TrainBench
{
    private const string ScriptName = "bench_train.py";

    public static Command Create()
    {
        var command = new Command("train", "Training img/s of Swarm vs PyTorch (SmallCnn, ResNet-18; 28x28) and DP-SGD step cost.");
        var models = new Option<string>("--models") { Description = "Comma-separated: smallcnn, resnet18", DefaultValueFactory = _ => "smallcnn,resnet18" };
        var threads = new Option<int>("--threads") { Description = "Threads for both engines", DefaultValueFactory = _ => 2 };
        var batch = new Option<int>("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => 128 };
        var images = new Option<int>("--images") { Description = "Images per epoch", DefaultValueFactory = _ => 2560 };
        var epochs = new Option<int>("--epochs") { Description = "Timed epochs per turn", DefaultValueFactory = _ => 3 };
        var turns = new Option<int>("--turns") { Description = "Alternating turns of each engine (best is kept)", DefaultValueFactory = _ => 3 };
        var python = new Option<string>("--python") { Description = "Python with torch", DefaultValueFactory = _ => "/usr/bin/python3" };
        foreach (var option in new Option[] { models, threads, batch, images, epochs, turns, python })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => Run(new Settings(
            parse.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), parse.GetValue(threads), parse.GetValue(batch), parse.GetValue(images),
            parse.GetValue(epochs), parse.GetValue(turns), parse.GetValue(python)!)));
        return command;
    }

    private static readonly Dictionary<string, (string Name, int Channels, double Goal)> Models = new()
    {
        ["smallcnn"] = ("SmallCnn", 1, 2.5),
        ["resnet18"] = ("ResNet-18 (BatchNorm)", 3, 1.0),
    };

    private sealed record Settings(IReadOnlyList<string> Models, int Threads, int BatchSize, int Images, int Epochs, int Turns, string Python);

    private static int Run(Settings s)
    {
        if (s.Threads < 1 || s.BatchSize < 1 || s.Images < s.BatchSize || s.Epochs < 1 || s.Turns < 1)
        {
            Console.Error.WriteLine("swarm bench train: threads, epochs, turns >= 1 and images >= batch size");
            return ExitCodes.Usage;
        }
        if (s.Models.Count == 0 || s.Models.Any(m => !Models.ContainsKey(m)))
        {
            Console.Error.WriteLine($"swarm bench train: --models takes {string.Join(", ", Models.Keys)}");
            return ExitCodes.Usage;
        }
        var script = FindScript();
        if (script is null)
        {
            Console.Error.WriteLine($"swarm bench train: {ScriptName} not found beside the binary or under tools/pytorch");
            return ExitCodes.Environment;
        }
        try
        {
            TorchRuntime.SetThreads(s.Threads);
            Console.WriteLine($"swarm bench train: {s.Images} random 28x28 images, batch {s.BatchSize}, Adam, {s.Threads} " +
                $"threads, {s.Epochs} timed epochs x {s.Turns} turns per engine (best turn kept); Swarm on TorchSharp " +
                $"(LibTorch {TorchRuntime.LibTorchVersion}, native heap tuned: {(NativeHeap.Tuned ? "yes" : "no")}), PyTorch from {s.Python}");
            foreach (var model in s.Models)
            {
                CompareWithPyTorch(model, script, s);
            }
            var data = RandomImages(s.Images, 1);
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

    private static void CompareWithPyTorch(string model, string script, Settings s)
    {
        var (name, channels, goal) = Models[model];
        var data = RandomImages(s.Images, channels);
        Rate swarmBest = default, torchBest = default, tunedBest = default;
        for (var turn = 1; turn <= s.Turns; turn++)
        {
            var swarm = SwarmImagesPerSecond(model, data, s, privacy: null, out _);
            var torch = TorchImagesPerSecond(model, script, s, tunedHeap: false);
            var tuned = TorchImagesPerSecond(model, script, s, tunedHeap: true);
            Console.WriteLine(Invariant(
                $"{model} turn {turn}: swarm {swarm.Wall:F0} img/s ({swarm.Cpu:F0} img/cpu-s), pytorch {torch.Wall:F0} img/s ({torch.Cpu:F0} img/cpu-s), pytorch with Swarm's heap settings {tuned.Wall:F0} img/s ({tuned.Cpu:F0} img/cpu-s)"));
            swarmBest = swarmBest.Max(swarm);
            torchBest = torchBest.Max(torch);
            tunedBest = tunedBest.Max(tuned);
        }
        Console.WriteLine(Invariant($"{name}: swarm {swarmBest.Wall:F0} img/s, pytorch {torchBest.Wall:F0} img/s, pytorch with Swarm's heap settings {tunedBest.Wall:F0} img/s"));
        Console.WriteLine(Invariant($"{name}: per CPU second swarm/pytorch = {swarmBest.Cpu / torchBest.Cpu:F3}"));
        Console.WriteLine(Invariant($"{name}: throughput ratio swarm/pytorch = {swarmBest.Wall / torchBest.Wall:F3} (goal >= {goal:F1})"));
        Console.WriteLine(Invariant($"{name}: throughput ratio swarm/pytorch with the same heap settings = {swarmBest.Wall / tunedBest.Wall:F3}"));
    }

    // DP-SGD with q = batch/N takes round(1/q) Poisson steps of expected size `batch` per epoch, the same number
    // of steps as a plain epoch, so the ratio of epoch times is the ratio of step times.
    private static void PrintDpCost(TrainingData data, Settings s)
    {
        var privacy = new DpOptions(1.0, 1.0, (double)s.BatchSize / s.Images);
        Rate plainBest = default, dpBest = default;
        double plainStep = double.MaxValue, dpStep = double.MaxValue;
        for (var turn = 0; turn < s.Turns; turn++)
        {
            plainBest = plainBest.Max(SwarmImagesPerSecond("smallcnn", data, s, privacy: null, out var plain));
            dpBest = dpBest.Max(SwarmImagesPerSecond("smallcnn", data, s, privacy, out var dp));
            plainStep = Math.Min(plainStep, plain);
            dpStep = Math.Min(dpStep, dp);
        }
        Console.WriteLine(Invariant($"SmallCnn step time: plain {plainStep * 1e3:F1} ms, DP-SGD {dpStep * 1e3:F1} ms (σ=1, C=1, Poisson q={privacy.SamplingRate:F4})"));
        Console.WriteLine(Invariant($"per CPU second: DP-SGD step / plain step = {plainBest.Cpu / dpBest.Cpu:F3}"));
        Console.WriteLine(Invariant($"DP-SGD step / plain step = {dpStep / plainStep:F3} (goal <= 2)"));
    }

    /// <summary>Images per wall-clock second and per CPU second of the process (steadier on a shared machine).</summary>
    private readonly record struct Rate(double Wall, double Cpu)
    {
        public Rate Max(Rate other) => new(Math.Max(Wall, other.Wall), Math.Max(Cpu, other.Cpu));
    }

    private static Rate SwarmImagesPerSecond(string model, TrainingData data, Settings s, DpOptions? privacy,
        out double secondsPerStep)
    {
        using var trainer = TorchTrainer.Create(model, data.Shape.Channels, 2, 28, seed: 1);
        var options = new TrainOptions { BatchSize = s.BatchSize, Threads = s.Threads, Privacy = privacy };
        trainer.TrainEpoch(data, options);
        var steps = 0;
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var epoch = 0; epoch < s.Epochs; epoch++)
        {
            steps += trainer.TrainEpoch(data, options with { Seed = (ulong)epoch + 2 }).Steps;
        }
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        secondsPerStep = seconds / steps;
        var images = (double)data.Count * s.Epochs;
        return new Rate(images / seconds, images / cpuSeconds);
    }

    /// <summary>PyTorch's rate on the same work; with <paramref name="tunedHeap"/> its glibc allocator gets the settings
    /// Swarm's engine applies to itself (<see cref="NativeHeap"/>), through glibc's environment variables.</summary>
    private static Rate TorchImagesPerSecond(string model, string script, Settings s, bool tunedHeap)
    {
        var start = new ProcessStartInfo(s.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { script, "--model", model, "--threads", $"{s.Threads}", "--batch", $"{s.BatchSize}",
                     "--images", $"{s.Images}", "--epochs", $"{s.Epochs}" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["OMP_NUM_THREADS"] = $"{s.Threads}";
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MALLOC_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        if (tunedHeap)
        {
            start.Environment["MALLOC_MMAP_THRESHOLD_"] = $"{NativeHeap.KeepOnHeapBytes}";
            start.Environment["MALLOC_TRIM_THRESHOLD_"] = $"{NativeHeap.TrimAboveBytes}";
            start.Environment["MALLOC_TOP_PAD_"] = $"{NativeHeap.GrowthPadBytes}";
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {s.Python}");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var wall = Field(output, "img_per_s=");
        var cpu = Field(output, "img_per_cpu_s=");
        if (process.ExitCode != 0 || wall is null || cpu is null)
        {
            throw new InvalidOperationException(
                $"the PyTorch baseline failed (exit {process.ExitCode}; python3-torch comes from scripts/setup/10-torchsharp.sh): {errors.Result.Trim()}");
        }
        return new Rate(wall.Value, cpu.Value);
    }

    private static double? Field(string output, string prefix)
    {
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    private static TrainingData RandomImages(int count, int channels)
    {
        var random = new Random(1);
        var images = new float[count * channels * 28 * 28];
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = (float)(random.NextDouble() * 2 - 1);
        }
        var labels = new long[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = random.Next(2);
        }
        return new TrainingData(images, labels, new ImageShape(channels, 28, 28));
    }

    private static string? FindScript()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "tools", ScriptName) };
        var root = Environment.GetEnvironmentVariable("SWARM_ROOT");
        if (!string.IsNullOrEmpty(root))
        {
            candidates.Add(Path.Combine(root, "tools", "pytorch", ScriptName));
        }
        return candidates.FirstOrDefault(File.Exists);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
