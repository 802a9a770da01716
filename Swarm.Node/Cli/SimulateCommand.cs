using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Node.Simulation;
using Swarm.Node.Simulation.Reporting;
using Swarm.Tasks;

namespace Swarm.Node.Cli;

/// <summary><c>swarm simulate</c>: the main job, a swarm of sites in one process that really trains, side by side
/// with the centralized and local-only baselines, written to a report folder.</summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var command = new Command("simulate", "Simulate a swarm of sites: every round decided on the task's PBFT chain, real training, with centralized and local-only baselines (--processes: sites as node processes over mutual TLS).");
        var d = new SimulationOptions();
        var sites = new Option<int>("--sites") { Description = "Number of sites", DefaultValueFactory = _ => d.Sites };
        var dataset = new Option<string>("--dataset") { Description = "pneumoniamnist, breastmnist or retinamnist", DefaultValueFactory = _ => d.Dataset };
        var model = new Option<string>("--model") { Description = "smallcnn, resnet18, resnet18-gn", DefaultValueFactory = _ => d.Model };
        var rounds = new Option<int>("--rounds") { Description = "Swarm rounds", DefaultValueFactory = _ => d.Rounds };
        var localEpochs = new Option<int>("--local-epochs") { Description = "Local epochs per round", DefaultValueFactory = _ => d.LocalEpochs };
        var theta = new Option<double>("--theta") { Description = "Top-θ fraction of Δ each site shares", DefaultValueFactory = _ => d.Theta };
        var strategy = new Option<string>("--strategy") { Description = "fedavg, median, trimmed-mean or krum", DefaultValueFactory = _ => d.Strategy };
        var quorum = new Option<int>("--quorum") { Description = "Updates that close a round (k of n; 0 = all sites)", DefaultValueFactory = _ => 0 };
        var partition = new Option<string>("--partition") { Description = "hospital (site sizes ∝ (s+1)^-γ and Dirichlet(α) label skew), iid or dirichlet (label skew only)", DefaultValueFactory = _ => d.Partition };
        var alpha = new Option<double>("--alpha") { Description = "Dirichlet concentration α of the label skew (dirichlet, hospital)", DefaultValueFactory = _ => d.Alpha };
        var sizeExponent = new Option<double>("--size-exponent") { Description = "With --partition hospital: site s holds a share ∝ (s+1)^-γ of the data", DefaultValueFactory = _ => d.SizeExponent };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, initialisation and shuffling", DefaultValueFactory = _ => d.Seed };
        var seeds = new Option<string?>("--seeds") { Description = "Run every method at several seeds: a count N (seeds --seed .. --seed+N-1) or a list 1,2,3; the report gives mean ± sd, 95 % intervals and paired tests" };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => d.Threads };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (MultiStep schedule over rounds × local epochs)", DefaultValueFactory = _ => d.LearningRate };
        var batchSize = new Option<int>("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => d.BatchSize };
        var personalization = new Option<int>("--personalization-epochs") { Description = "Local fine-tuning epochs after the last round", DefaultValueFactory = _ => d.PersonalizationEpochs };
        var limit = new Option<int>("--train-limit") { Description = "Use only the first N training images (0 = all)", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Report folder (default reports/simulate-<UTC time>)" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display" };
        var byzantine = new Option<string?>("--byzantine") { Description = "Byzantine sites: INDEX=poison (publishes -20 x its update) or INDEX=wrong-hash (votes a forged aggregate), comma-separated" };
        var errorFeedback = new Option<string>("--error-feedback") { Description = "With --theta below 1: on (keep each site's unsent Δ for the next round, as Deep Gradient Compression does) or off", DefaultValueFactory = _ => d.ErrorFeedback ? "on" : "off" };
        var topkScope = new Option<string>("--topk-scope") { Description = "With --theta below 1: global (top-θ over the whole model) or layer (top-θ within every layer)", DefaultValueFactory = _ => d.TopKScope };
        var localLayers = new Option<string?>("--local-layers") { Description = "FedPer: parameter prefixes every site keeps local (comma-separated, e.g. fc2)" };
        var processes = new Option<bool>("--processes") { Description = "Run each site as a swarm node process on loopback (mutual TLS) instead of in this process" };
        var portBase = new Option<int>("--port-base") { Description = "With --processes: node i uses port BASE+i for blobs, BASE+1000+i for the cluster (network.cluster-port-offset) and BASE+100+i for HTTP", DefaultValueFactory = _ => d.PortBase };
        var dp = new Option<string>("--dp") { Description = "Privacy mode of the task: none or local (DP-SGD at every site; ε per site in the report)", DefaultValueFactory = _ => d.Dp };
        var noise = new Option<double>("--noise-multiplier") { Description = "With --dp local: σ (noise std = σ × clip norm)", DefaultValueFactory = _ => d.NoiseMultiplier };
        var clip = new Option<double>("--clip-norm") { Description = "With --dp local: per-example gradient clip norm C", DefaultValueFactory = _ => d.ClipNorm };
        var delta = new Option<double>("--delta") { Description = "With --dp local: δ of the reported ε", DefaultValueFactory = _ => d.Delta };
        var secureAggregation = new Option<bool>("--secure-aggregation") { Description = "Secure aggregation in every round: sites publish only masked updates, every site unmasks the sum (fedavg, theta 1, at least 3 sites)" };
        var secretSharing = new Option<bool>("--secret-sharing") { Description = "Additive secret sharing in every round: sites publish only shares sealed to their holders and partial sums, every site adds the partial sums (fedavg, theta 1, all sites, at least 3)" };
        var log = new Option<string?>("--log") { Description = "Write the sites' protocol log (chain, rounds, votes) to this file" };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Lowest level written to --log (debug adds each site's training, update and vote)", DefaultValueFactory = _ => LogLevel.Information };
        foreach (var option in new Option[] { sites, dataset, model, rounds, localEpochs, theta, strategy, quorum, partition, alpha, sizeExponent, seed, seeds, threads, lr, batchSize, personalization, limit, output, quiet, log, logLevel, byzantine, localLayers, processes, portBase, dp, noise, clip, delta, errorFeedback, topkScope, secureAggregation, secretSharing })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, ct) => RunAsync(new SimulationOptions
        {
            Sites = parse.GetValue(sites), Dataset = parse.GetValue(dataset)!, Model = parse.GetValue(model)!,
            Rounds = parse.GetValue(rounds), LocalEpochs = parse.GetValue(localEpochs), Theta = parse.GetValue(theta),
            Strategy = parse.GetValue(strategy)!, Quorum = parse.GetValue(quorum), Partition = parse.GetValue(partition)!,
            Alpha = parse.GetValue(alpha), SizeExponent = parse.GetValue(sizeExponent), Seed = parse.GetValue(seed), Threads = parse.GetValue(threads),
            LearningRate = parse.GetValue(lr), BatchSize = parse.GetValue(batchSize), PersonalizationEpochs = parse.GetValue(personalization),
            TrainLimit = parse.GetValue(limit),
            Byzantine = SimulationOptions.ParseByzantine(parse.GetValue(byzantine), out var byzantineProblem),
            LocalLayers = (parse.GetValue(localLayers) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            ErrorFeedback = parse.GetValue(errorFeedback) == "on",
            TopKScope = parse.GetValue(topkScope)!,
            OptionProblem = byzantineProblem ?? (parse.GetValue(errorFeedback) is "on" or "off" ? null : $"--error-feedback must be on or off, got '{parse.GetValue(errorFeedback)}'"),
            Processes = parse.GetValue(processes),
            PortBase = parse.GetValue(portBase),
            Dp = parse.GetValue(dp)!, NoiseMultiplier = parse.GetValue(noise), ClipNorm = parse.GetValue(clip), Delta = parse.GetValue(delta),
            SecureAggregation = parse.GetValue(secureAggregation),
            SecretSharing = parse.GetValue(secretSharing),
        }, parse.GetValue(output), parse.GetValue(quiet), ct, parse.GetValue(log), parse.GetValue(logLevel), parse.GetValue(seeds)));
        return command;
    }

    /// <summary>Parses <c>--seeds</c>: a count N gives <paramref name="first"/> .. first + N − 1, a comma-separated
    /// list gives itself; empty gives [<paramref name="first"/>].</summary>
    public static IReadOnlyList<int> ParseSeeds(string? text, int first, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return [first];
        }
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                problem = $"--seeds '{text}' is not a count or a comma-separated list of seeds (0 or more)";
                return [first];
            }
            values.Add(value);
        }
        if (parts.Length == 1 && !text.Contains(',', StringComparison.Ordinal))
        {
            if (values[0] is < 1 or > SeedsMax)
            {
                problem = $"--seeds {values[0]}: the count of seeds must be 1..{SeedsMax}";
                return [first];
            }
            return [.. Enumerable.Range(first, values[0])];
        }
        if (values.Distinct().Count() != values.Count || values.Count > SeedsMax)
        {
            problem = $"--seeds '{text}' repeats a seed or lists more than {SeedsMax}";
            return [first];
        }
        return values;
    }

    /// <summary>The most seeds one command runs.</summary>
    public const int SeedsMax = 100;

    /// <summary>Runs a simulation and writes its report; the command's whole code path (tests call it).</summary>
    public static async Task<int> RunAsync(SimulationOptions options, string? folder, bool quiet, CancellationToken cancellation,
        string? logFile = null, LogLevel logLevel = LogLevel.Information, string? seedsText = null)
    {
        var seeds = ParseSeeds(seedsText, options.Seed, out var seedsProblem);
        if ((seedsProblem ?? options.Validate()) is { } problem)
        {
            Console.Error.WriteLine($"swarm simulate: {problem}");
            return ExitCodes.Usage;
        }
        MedMnistSplits splits;
        try
        {
            splits = MedMnist.Load(options.Dataset);
        }
        catch (DataSetException e)
        {
            Console.Error.WriteLine($"swarm simulate: {e.Message}");
            return ExitCodes.Environment;
        }
        folder ??= Path.Combine("reports", "simulate-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        using var log = logFile is null ? null : new FileLog(logFile, logLevel);
        try
        {
            if (seeds.Count == 1)
            {
                await RunOneAsync(options with { Seed = seeds[0] }, splits, folder, quiet, log, cancellation).ConfigureAwait(false);
                Console.WriteLine($"report: {Path.GetFullPath(folder)}");
                return ExitCodes.Ok;
            }
            var runs = new List<SimulationResults>();
            foreach (var seed in seeds)
            {
                runs.Add(await RunOneAsync(options with { Seed = seed }, splits, Path.Combine(folder, $"seed-{seed}"), quiet, log, cancellation)
                    .ConfigureAwait(false));
            }
            var statistics = SeedStatistics.Of(runs);
            SeedReportWriter.Write(folder, runs, statistics);
            PrintSummary(statistics);
            Console.WriteLine($"report: {Path.GetFullPath(folder)}");
            return ExitCodes.Ok;
        }
        catch (TorchException e)
        {
            Console.Error.WriteLine($"swarm simulate: {e.Message}");
            return e.Status == TorchStatus.LibraryMissing ? ExitCodes.Environment : ExitCodes.Failure;
        }
        catch (Exception e) when (e is SimulationException or ArgumentException)
        {
            Console.Error.WriteLine($"swarm simulate: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("swarm simulate: interrupted");
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>One seed: every method, its report folder written and its table printed.</summary>
    private static async Task<SimulationResults> RunOneAsync(SimulationOptions options, MedMnistSplits splits, string folder, bool quiet,
        ILoggerFactory? log, CancellationToken cancellation)
    {
        var train = splits.Train;
        Func<ITrainer> models = () => TorchTrainer.Create(options.Model, train.Channels, train.Classes, train.Height, (ulong)options.Seed);
        Console.WriteLine($"swarm simulate: {options.Sites} sites, {options.Dataset}, {options.Model}, {options.Rounds} rounds × " +
            $"{options.LocalEpochs} local epochs, θ={options.Theta.ToString(CultureInfo.InvariantCulture)}" +
            (options.Theta < 1 ? $" ({options.TopKScope} top-θ, error feedback {(options.ErrorFeedback ? "on" : "off")})" : "") + $", {options.Strategy}, " +
            $"quorum {options.EffectiveQuorum}/{options.Sites}, {options.PartitionLabel}, seed {options.Seed}, {options.Threads} threads" +
            (options.Dp == PrivacyModes.Local
                ? string.Create(CultureInfo.InvariantCulture, $", local DP (σ={options.NoiseMultiplier}, C={options.ClipNorm}, δ={options.Delta})")
                : ""));
        var results = quiet
            ? await new SimulationRunner(options, models, new SilentProgress(), folder, log).RunAsync(splits, cancellation).ConfigureAwait(false)
            : await RunWithProgressAsync(options, models, splits, folder, log, cancellation).ConfigureAwait(false);
        ReportWriter.Write(folder, results);
        PrintTable(results);
        return results;
    }

    private static void PrintSummary(SeedStatistics statistics)
    {
        var table = new Table().AddColumns("method", "test AUC mean ± sd", "95 % CI (t)");
        foreach (var m in statistics.Methods)
        {
            table.AddRow(m.Method, $"{F(m.Auc.Mean)} ± {F(m.Auc.StandardDeviation)}", Markup.Escape($"[{F(m.Auc.Low)}, {F(m.Auc.High)}]"));
        }
        foreach (var c in new[] { statistics.SwarmVersusLocalOnly, statistics.SwarmVersusCentralized })
        {
            table.AddRow(c.Name, $"{F(c.AcrossSeeds.Mean)} ± {F(c.AcrossSeeds.StandardDeviation)}",
                Markup.Escape($"[{F(c.AcrossSeeds.Low)}, {F(c.AcrossSeeds.High)}] {(c.Significant ? "significant" : "not significant")} ({c.TestUsed})"));
        }
        AnsiConsole.Write(table);
    }

    private static async Task<SimulationResults> RunWithProgressAsync(SimulationOptions options, Func<ITrainer> models,
        MedMnistSplits splits, string folder, ILoggerFactory? log, CancellationToken cancellation)
    {
        SimulationResults? results = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var progress = new ConsoleProgress(context,
                    Enumerable.Range(0, options.Sites).Select(SimulationRunner.SiteId), options.Rounds);
                results = await new SimulationRunner(options, models, progress, folder, log).RunAsync(splits, cancellation).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return results!;
    }

    private static void PrintTable(SimulationResults r)
    {
        var table = new Table().AddColumns("method", "test AUC", "test ACC");
        void Row(string name, Score s) => table.AddRow(name, F(s.Auc), F(s.Accuracy));
        Console.WriteLine($"seed {r.Seed}:");
        Row("swarm (global model)", r.Swarm);
        Row("centralized", r.Centralized);
        if (r.CentralDp is { } centralDp)
        {
            Row(string.Create(CultureInfo.InvariantCulture, $"centralized DP-SGD (ε = {r.CentralDpPrivacy!.Epsilon:F3})"), centralDp);
        }
        Row("local-only (mean)", r.LocalOnlyMean);
        foreach (var site in r.LocalOnly)
        {
            Row($"local-only {site.Site}", site.Score);
        }
        if (r.Personalized.Count > 0)
        {
            Row("global on own site tests (mean)", Score.Mean(r.Personalized.Select(p => p.Global)));
            Row("personalized on own site tests (mean)", Score.Mean(r.Personalized.Select(p => p.Personalized)));
        }
        AnsiConsole.Write(table);
        foreach (var p in r.Privacy)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"privacy {p.Site}: ε = {p.Epsilon:F3} at δ = {p.Delta:G3} (q = {p.SamplingRate:G4}, σ = {p.NoiseMultiplier}, {p.Steps} DP-SGD steps)"));
        }
        foreach (var t in r.Timings)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t.Method}: {t.WallSeconds:F1}s"));
        }
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
