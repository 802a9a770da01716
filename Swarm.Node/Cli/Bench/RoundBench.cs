using Swarm.Tasks;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Swarm.Actors.Tasks;
using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Node.Simulation;

namespace Swarm.Node.Cli.Bench;

/// <summary>
/// <c>swarm bench round</c>: what the round protocol costs on top of training. A swarm of sites in one process
/// (real PBFT chain on SQLite, real updates, real SmallCnn training on PneumoniaMNIST) runs a few rounds; the
/// baseline, measured in the same run, is the sites' own local training time. Sites of one process take turns on
/// the cores, so a round's training time is the sum of its sites' training times (on separate machines it would be
/// the slowest site's); overhead = round wall time − that training time (the local epochs alone), and includes
/// everything else: Δ, top-θ selection, update encoding and hashing, PBFT ordering of the updates and votes, every site's recomputation of the aggregate and
/// its validation score, and waiting. Then a second swarm of many sites measures peak memory per site.
/// </summary>
public static class RoundBench
{
    public static Command Create()
    {
        var command = new Command("round", "Round protocol overhead vs local training time (4 sites), and peak memory per site (16 sites).");
        var sites = new Option<int>("--sites") { Description = "Sites in the overhead run", DefaultValueFactory = _ => 4 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds in the overhead run (the first is reported but not counted)", DefaultValueFactory = _ => 4 };
        var memorySites = new Option<int>("--memory-sites") { Description = "Sites in the memory run (0 skips it)", DefaultValueFactory = _ => 16 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => 2 };
        var limit = new Option<int>("--train-limit") { Description = "Training images used in all (0 = the whole split)", DefaultValueFactory = _ => 0 };
        var model = new Option<string>("--model") { Description = "smallcnn, resnet18, resnet18-gn (the overhead run)", DefaultValueFactory = _ => "smallcnn" };
        var epochs = new Option<int>("--local-epochs") { Description = "Local epochs per round (the overhead run)", DefaultValueFactory = _ => 1 };
        var work = new Option<string?>("--work") { Description = "Folder for the sites' ledgers and blobs (default: a temporary folder, removed after)" };
        var waitForFinal = new Option<bool>("--no-train-ahead")
        {
            Description = "Sites wait for the chain to finalize a round before training the next (the protocol before training ahead)",
        };
        var memoryOnly = new Option<bool>("--memory-only")
        {
            Description = "Only the memory run, in this process (the bench starts its memory run this way, in a fresh process of its own)",
        };
        foreach (var option in new Option[] { sites, rounds, memorySites, threads, limit, model, epochs, work, memoryOnly, waitForFinal })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, ct) => RunAsync(new Workload(parse.GetValue(sites), parse.GetValue(rounds), parse.GetValue(threads),
                parse.GetValue(model)!, parse.GetValue(epochs)), parse.GetValue(memorySites),
            parse.GetValue(limit), parse.GetValue(work), parse.GetValue(memoryOnly), !parse.GetValue(waitForFinal), ct));
        return command;
    }

    /// <summary>What the overhead run trains: sites, rounds, libtorch threads, the model and its local epochs per round.</summary>
    private sealed record Workload(int Sites, int Rounds, int Threads, string Model, int LocalEpochs);

    private static async Task<int> RunAsync(Workload load, int memorySites, int limit, string? work, bool memoryOnly,
        bool trainAhead, CancellationToken ct)
    {
        var (sites, rounds, threads) = (load.Sites, load.Rounds, load.Threads);
        if (sites < 1 || rounds < 2 || memorySites < 0 || threads < 1 || limit < 0 || load.LocalEpochs < 1 || (memoryOnly && memorySites == 0))
        {
            Console.Error.WriteLine("swarm bench round: --sites, --threads and --local-epochs >= 1, --rounds >= 2, --memory-sites and --train-limit >= 0 " +
                "(>= 1 with --memory-only)");
            return ExitCodes.Usage;
        }
        if (load.Model is not ("smallcnn" or "resnet18" or "resnet18-gn"))
        {
            Console.Error.WriteLine($"swarm bench round: unknown --model '{load.Model}' (smallcnn, resnet18 or resnet18-gn)");
            return ExitCodes.Usage;
        }
        var folder = work ?? Path.Combine(Path.GetTempPath(), "swarm-bench-round-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            var splits = SiteSplits.Limit(MedMnist.Load("pneumoniamnist"), limit);
            TorchRuntime.SetThreads(threads);
            Console.WriteLine($"swarm bench round: {load.Model}, {load.LocalEpochs} local epoch(s) per round, on PneumoniaMNIST ({splits.Train.Count} training images), {threads} libtorch threads, " +
                $"{Environment.ProcessorCount} cores; sites take turns on the cores");
            var baseline = PeakResidentBytes();
            if (memoryOnly)
            {
                await MemoryAsync(splits, memorySites, threads, Path.Combine(folder, "memory"), baseline, trainAhead, ct).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            var overhead = await OverheadAsync(splits, load, Path.Combine(folder, "overhead"), trainAhead, ct).ConfigureAwait(false);
            // The peak resident set is the process's, so the memory run gets a process of its own: run here, its peak
            // would hold what the overhead run left (its heap, libtorch's caches), and run first it would slow the
            // overhead run with its 16 sites' garbage.
            var memory = memorySites > 0 ? await MemoryProcessAsync(memorySites, threads, limit, Path.Combine(folder, "memory-process"), ct).ConfigureAwait(false)
                : ExitCodes.Ok;
            return overhead != ExitCodes.Ok ? overhead : memory;
        }
        catch (Exception e) when (e is TorchException or DataSetException or SimulationException)
        {
            Console.Error.WriteLine($"swarm bench round: {e.Message}");
            return ExitCodes.Environment;
        }
        finally
        {
            if (work is null && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Two baselines, both from this run: the sites' training time inside the swarm (what their trainers
    /// measured), and the same sites training alone, one after another, before the swarm starts (the local epochs
    /// with nothing else on the cores). Inside the swarm, work that runs beside training (a final model's
    /// validation score, the other sites' aggregates while a site trains ahead) slows the training and so hides in
    /// the first; the second counts it as overhead.</summary>
    private static async Task<int> OverheadAsync(MedMnistSplits splits, Workload load, string folder, bool trainAhead, CancellationToken ct)
    {
        var (sites, rounds) = (load.Sites, load.Rounds);
        var setup = SwarmSetup.Of(splits, sites, rounds, load.Threads, load.Model, load.LocalEpochs);
        var (alone, aloneCpu) = TrainAlone(setup, rounds, load.LocalEpochs);
        var (timeline, cpu) = await RunSwarmAsync(setup, folder, trainAhead, ct).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine($"overhead run: {sites} sites, {rounds} rounds, {load.Model}, {load.LocalEpochs} local epoch(s), θ = 1, fedavg, k = n, " +
            (trainAhead ? "sites train the next round from their own aggregate while the votes are ordered" : "sites wait for the final model (--no-train-ahead)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline: the {sites} sites training alone, one after another, before the swarm: {alone.Average():F2} s per round ({string.Join(", ", alone.Select(a => a.ToString("F2", CultureInfo.InvariantCulture)))})"));
        Console.WriteLine("round | wall s | training s (sum of sites) | slowest site s | overhead s | overhead % | last update to final s");
        double wallTotal = 0, trainTotal = 0;
        var counted = 0;
        foreach (var round in timeline)
        {
            var overhead = round.Wall - round.TrainingSum;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{round.Round,5} | {round.Wall,6:F2} | {round.TrainingSum,25:F2} | {round.Slowest,14:F2} | {overhead,10:F2} | {100 * overhead / round.Wall,10:F1} | {round.Tail,22:F2}{(round.Round == 1 ? "  (set-up round, not counted)" : "")}"));
            if (round.Round > 1)
            {
                wallTotal += round.Wall;
                trainTotal += round.TrainingSum;
                counted++;
            }
        }
        var aloneTotal = alone.Average() * counted;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"protocol overhead against the training in the swarm: {100 * (wallTotal - trainTotal) / wallTotal:F1} % of the round (rounds 2..{rounds}: wall {wallTotal:F2} s, training {trainTotal:F2} s); goal <= 5 %"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"protocol overhead against the sites training alone: {100 * (wallTotal - aloneTotal) / wallTotal:F1} % of the round (wall {wallTotal / counted:F2} s per round, alone {alone.Average():F2} s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio wall / training in the swarm: {wallTotal / trainTotal:F3}; wall / training alone: {wallTotal / aloneTotal:F3}"));
        PrintCpu(cpu, counted, sites, aloneCpu);
        return ExitCodes.Ok;
    }

    /// <summary>Where the process's CPU went in the counted rounds, per round, against the CPU the same training
    /// took alone. Unlike wall time this does not depend on how the scheduler interleaved the sites, and it is what
    /// the protocol costs a site on a machine of its own (each site's quarter of it).</summary>
    private static void PrintCpu(IReadOnlyList<(string Kind, double Seconds)> cpu, int rounds, int sites, double aloneCpu)
    {
        if (cpu.Count == 0 || aloneCpu <= 0)
        {
            return;
        }
        var total = cpu.Sum(k => k.Seconds) / rounds;
        var kinds = string.Join("; ", cpu.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Kind} {k.Seconds / rounds:F2}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CPU per round (core-seconds, rounds 2..{rounds + 1}): {total:F2} in all; {kinds}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CPU of the same training alone: {aloneCpu:F2} core-seconds per round; the swarm's CPU beyond it: {100 * (total - aloneCpu) / aloneCpu:F1} % ({(total - aloneCpu) / sites:F2} core-seconds per site and round)"));
    }

    /// <summary>Each site trains <paramref name="rounds"/> local epochs alone, one site after another as the swarm's
    /// sites take turns; per round, the sum over the sites of their training time (the first round is JIT and
    /// libtorch warm-up and is left out, as in the swarm).</summary>
    private static (IReadOnlyList<double> PerRound, double CpuPerRound) TrainAlone(SwarmSetup setup, int rounds, int epochs)
    {
        var perRound = new double[rounds];
        ThreadCpu? from = null;
        var trainers = Enumerable.Range(0, setup.Data.Count).Select(setup.Trainer).ToList();
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                if (round == 2)
                {
                    from = ThreadCpu.Read();
                }
                foreach (var trainer in trainers)
                {
                    var result = trainer.Train(new TrainIns(round, setup.Initial, epochs, (round - 1) * epochs, rounds * epochs, 1.0));
                    perRound[round - 1] += result.TrainingTime.TotalSeconds;
                }
            }
        }
        finally
        {
            trainers.ForEach(t => t.Dispose());
        }
        var cpu = ThreadCpu.Between(from!, ThreadCpu.Read()).Sum(k => k.Seconds);
        return (perRound.Skip(1).ToList(), cpu / (rounds - 1));
    }

    /// <summary>Starts this executable again with <c>bench round --memory-only</c>; its output goes to this console.</summary>
    private static async Task<int> MemoryProcessAsync(int sites, int threads, int limit, string work, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(RoundBench).Assembly.Location);
        }
        foreach (var argument in new[] { "bench", "round", "--memory-only", "--memory-sites", sites.ToString(CultureInfo.InvariantCulture),
            "--threads", threads.ToString(CultureInfo.InvariantCulture), "--train-limit", limit.ToString(CultureInfo.InvariantCulture), "--work", work })
        {
            start.ArgumentList.Add(argument);
        }
        using var child = Process.Start(start) ?? throw new SimulationException("the memory run's process did not start");
        try
        {
            await child.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }
        return child.ExitCode;
    }

    private static async Task MemoryAsync(MedMnistSplits splits, int sites, int threads, string folder, long baseline, bool trainAhead,
        CancellationToken ct)
    {
        var before = PeakResidentBytes();
        _ = await RunSwarmAsync(SwarmSetup.Of(splits, sites, rounds: 1, threads), folder, trainAhead, ct).ConfigureAwait(false);
        var peak = PeakResidentBytes();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory run: {sites} sites, 1 round: process peak RSS {Mib(peak)} MiB (before any swarm {Mib(baseline)} MiB, before this run {Mib(before)} MiB)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak memory per site: {Mib(peak / sites)} MiB (whole process / {sites}); {Mib(Math.Max(0, peak - baseline) / sites)} MiB above the process baseline; goal <= 150 MiB"));
    }

    /// <summary>One round's times; <paramref name="Tail"/>: from the last site's end of training to the first site's
    /// final model (closing, every site's aggregate, the votes).</summary>
    private sealed record RoundTiming(int Round, double Wall, double TrainingSum, double Slowest, double Tail);

    /// <summary>The task, the sites' data and trainers of one swarm, as <c>swarm simulate</c> builds them.</summary>
    private sealed record SwarmSetup(TaskSpec Spec, IReadOnlyList<SiteData> Data, Func<int, SiteTrainer> Trainer, float[] Initial)
    {
        public static SwarmSetup Of(MedMnistSplits splits, int sites, int rounds, int threads, string modelName = "smallcnn", int localEpochs = 1)
        {
            var options = new SimulationOptions
            {
                Sites = sites, Rounds = rounds, Threads = threads, PersonalizationEpochs = 0, Model = modelName, LocalEpochs = localEpochs,
            };
            var data = SiteSplits.Create(splits, options);
            var train = splits.Train;
            ITrainer Model() => TorchTrainer.Create(options.Model, train.Channels, train.Classes, train.Height, (ulong)options.Seed);
            float[] initial;
            using (var model = Model())
            {
                initial = new float[model.Layout.TotalLength];
                model.GetParameters(initial);
            }
            var spec = options.ToTaskSpec();
            var settings = new SiteSettings(options.TrainOptions(), options.Schedule,
                AggregationStrategies.Create(spec.Aggregation.Strategy, spec.Aggregation.Byzantine, spec.Aggregation.TrimFraction))
            {
                Sharing = Swarm.Node.Tasks.TaskPeerFactory.SharingOf(spec),
            };
            return new SwarmSetup(spec, data, i => new SiteTrainer(SimulationRunner.SiteId(i), i, Model(), data[i], settings), initial);
        }
    }

    private static async Task<(IReadOnlyList<RoundTiming> Timeline, IReadOnlyList<(string Kind, double Seconds)> Cpu)> RunSwarmAsync(
        SwarmSetup setup, string folder, bool trainAhead, CancellationToken ct)
    {
        ThreadCpu? from = null;
        var (spec, sites) = (setup.Spec, setup.Data.Count);
        var training = new Dictionary<int, List<double>>();
        var timings = new List<RoundTiming>();
        var watch = Stopwatch.StartNew();
        var ended = 0;
        await using var swarm = new InProcessSwarm(spec, TaskSpecCodec.Encode(spec), folder, setup.Trainer, () => setup.Initial,
            configure: context => context with { TrainAhead = trainAhead });
        var last = TimeSpan.Zero;
        var lastTrained = TimeSpan.Zero;
        IReadOnlyList<(string Kind, double Seconds)> cpu = [];
        await foreach (var evt in swarm.Events.ReadAllAsync(ct).ConfigureAwait(false))
        {
            switch (evt)
            {
                case SiteRoundTrained trained:
                    if (!training.TryGetValue(trained.Round, out var list))
                    {
                        training[trained.Round] = list = [];
                    }
                    list.Add(trained.TrainingTime.TotalSeconds);
                    lastTrained = watch.Elapsed;
                    break;
                case SiteRoundFinalized finalized when finalized.Round.Round == timings.Count + 1:
                    var now = watch.Elapsed;
                    var times = training.GetValueOrDefault(finalized.Round.Round) ?? [];
                    timings.Add(new RoundTiming(finalized.Round.Round, (now - last).TotalSeconds, times.Sum(), times.DefaultIfEmpty(0).Max(),
                        (now - lastTrained).TotalSeconds));
                    if (finalized.Round.Round == 1)
                    {
                        from = ThreadCpu.Read();
                    }
                    else if (finalized.Round.Round == setup.Spec.Rounds)
                    {
                        cpu = ThreadCpu.Between(from!, ThreadCpu.Read());
                    }
                    last = now;
                    break;
                case SiteTaskEnded end when end.State != TaskState.Completed:
                    throw new SimulationException($"site {end.Site} ended as {end.State}: {end.Detail}");
                case SiteTaskEnded:
                    ended++;
                    break;
            }
            if (ended == sites)
            {
                break;
            }
        }
        return (timings, cpu);
    }

    /// <summary>The process's peak resident set (VmHWM), which includes libtorch's native allocations.</summary>
    private static long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);
}
