using Swarm.Tasks;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Tasks;
using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Data;
using Swarm.Learning.Metrics;
using Swarm.Learning.Training;
using Swarm.Node.Persistence;
using Swarm.Node.Tasks;
using Swarm.Node.Simulation.Reporting;

namespace Swarm.Node.Simulation;

/// <summary>
/// Runs a whole simulation in one process: the swarm (a Trainer actor per site and a round coordinator on the
/// actor runtime), personalization, and the centralized and local-only baselines on the same split, seed and
/// number of epochs. Every method selects its model by validation AUC (the swarm by the global validation AUC
/// per round) and is scored on the full official test split.
/// </summary>
public sealed class SimulationRunner
{
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromHours(2);

    private readonly SimulationOptions _options;
    private readonly Func<ITrainer> _models;
    private readonly ISimulationProgress _progress;
    private readonly string _workDirectory;
    private readonly ILoggerFactory? _loggers;
    private readonly Func<int, SiteSettings, SiteSettings>? _siteSettings;
    private readonly Func<TaskPeerContext, TaskPeerContext>? _configure;

    /// <param name="options">The run's configuration.</param>
    /// <param name="progress">Receives progress, possibly from actor threads.</param>
    /// <param name="models">Builds a fresh model; every call must give the same initial parameters.</param>
    /// <param name="workDirectory">Where the sites keep their chain ledgers (<c>swarm/chain</c>) and blobs.</param>
    /// <param name="loggers">Logs of the sites' actors (none by default).</param>
    /// <param name="siteSettings">Adjusts a site's settings by index (tests: Byzantine behaviours).</param>
    /// <param name="configure">Adjusts a site's task peer context (tests: timers).</param>
    public SimulationRunner(SimulationOptions options, Func<ITrainer> models, ISimulationProgress progress, string workDirectory,
        ILoggerFactory? loggers = null, Func<int, SiteSettings, SiteSettings>? siteSettings = null,
        Func<TaskPeerContext, TaskPeerContext>? configure = null)
    {
        _options = options;
        _models = models;
        _progress = progress;
        _workDirectory = workDirectory;
        _loggers = loggers;
        _siteSettings = siteSettings;
        // A simulation keeps no old rounds' blobs (every site would hold every update: ResNet-18 passes a gigabyte a
        // round); the report reads the models from the sites' events, not from the blobs.
        _configure = context => (configure?.Invoke(context) ?? context) with { KeepOldBlobs = false };
    }

    public async Task<SimulationResults> RunAsync(MedMnistSplits splits, CancellationToken cancellation = default)
    {
        splits = SiteSplits.Limit(splits, _options.TrainLimit);
        var sites = SiteSplits.Create(splits, _options);
        var timings = new List<MethodTiming>();
        var whole = Stopwatch.StartNew();
        var watch = Stopwatch.StartNew();
        var swarm = _options.Processes
            ? await RunProcessesAsync(splits, cancellation).ConfigureAwait(false)
            : await RunSwarmAsync(splits, sites, cancellation).ConfigureAwait(false);
        timings.Add(new MethodTiming("swarm total (set-up, rounds, personalization)", watch.Elapsed.TotalSeconds));
        if (_options.SwarmOnly)
        {
            return new SimulationResults(_options.Dataset, _options.Model, _options.Sites, _options.Seed, _options.PartitionLabel, swarm.Test,
                new Score(double.NaN, double.NaN), [], swarm.Personalized, swarm.Rounds, swarm.Blocks, _options.ToHocon())
            {
                Timings = [.. swarm.Timings, .. timings],
                WallSeconds = whole.Elapsed.TotalSeconds,
                Transfers = swarm.Transfers,
                Privacy = swarm.Privacy,
                SwarmPerSite = swarm.PerSite,
                Notes = ["Swarm only: no centralized or local-only baseline in this run.", .. swarm.Notes],
            };
        }

        watch.Restart();
        var centralized = RunCentralized(splits, cancellation);
        timings.Add(new MethodTiming("centralized", watch.Elapsed.TotalSeconds));

        (Score Score, SitePrivacySpent Spent)? centralDp = null;
        if (_options.Dp == PrivacyModes.Local)
        {
            watch.Restart();
            centralDp = RunCentralDp(splits, cancellation);
            timings.Add(new MethodTiming("centralized DP-SGD", watch.Elapsed.TotalSeconds));
        }

        watch.Restart();
        var localOnly = RunLocalOnly(splits, sites, cancellation);
        timings.Add(new MethodTiming("local-only (all sites)", watch.Elapsed.TotalSeconds));

        var predictions = new TestPredictions(splits.Test.Labels.ToArray(), splits.Test.Classes, swarm.TestProbabilities,
            centralized.TestProbabilities, [.. localOnly.Select(l => l.TestProbabilities)]);
        return new SimulationResults(_options.Dataset, _options.Model, _options.Sites, _options.Seed,
            _options.PartitionLabel, swarm.Test, centralized.Test, [.. localOnly.Select(l => new SiteScore(l.Site, l.Test))],
            swarm.Personalized, swarm.Rounds, swarm.Blocks, _options.ToHocon())
        {
            Validation = new ValidationScores(swarm.ValidationAuc, centralized.ValidationAuc,
                Score.Mean(localOnly.Select(l => new Score(l.ValidationAuc, double.NaN))).Auc),
            Intervals = predictions.Bootstrap(TestPredictions.BootstrapSeedOf(_options.Seed)),
            Timings = [.. swarm.Timings, .. timings],
            WallSeconds = whole.Elapsed.TotalSeconds,
            SiteData = [.. sites.Select((d, i) => new SiteHoldings(SiteId(i), d.Train.ClassCounts(), d.Validation.Count, d.Test.Count))],
            Transfers = swarm.Transfers,
            Privacy = swarm.Privacy,
            SwarmPerSite = swarm.PerSite,
            CentralDp = centralDp?.Score,
            CentralDpPrivacy = centralDp?.Spent,
            Notes =
            [
                $"Swarm test score: the global model of round {swarm.SelectedRound} (best global validation AUC; the "
                + "global validation split is the union of the sites' validation slices). Centralized and local-only "
                + "pick their best epoch by validation AUC the same way.",
                "Every round is decided on the task's PBFT chain (one SQLite ledger per site): each site publishes its "
                + "update's SHA-256, the round closes at the quorum, and the round is final only when enough sites "
                + "recomputed the same aggregate and model SHA-256 from the published bytes and voted them "
                + "(⌈(n + f + 1) / 2⌉ matching votes).",
                _options.Processes
                    ? $"Sites are {_options.Sites} `swarm node` processes on loopback (mutual TLS, SQLite stores under swarm/cluster), {_options.Threads} libtorch threads each; per-round training loss is not collected from processes."
                    : $"Sites train one after another (one process, {_options.Threads} libtorch threads each).",
                .. swarm.Notes,
                .. PrivacyNotes(),
            ],
        };
    }

    private async Task<SwarmOutcome> RunSwarmAsync(MedMnistSplits splits, SiteData[] sites, CancellationToken cancellation)
    {
        // The evaluator comes first: a missing or broken engine fails here, before any actor starts.
        using var evaluator = _models();
        TorchRuntime.SetThreads(_options.Threads);
        var initial = new float[evaluator.Layout.TotalLength];
        evaluator.GetParameters(initial);
        var spec = _options.ToTaskSpec();
        var aggregation = spec.Aggregation;
        var settings = new SiteSettings(_options.TrainOptions(), _options.Schedule,
            AggregationStrategies.Create(aggregation.Strategy, aggregation.Byzantine, aggregation.TrimFraction))
        {
            LocalLayers = _options.LocalLayers,
            Privacy = _options.Privacy,
            Sharing = TaskPeerFactory.SharingOf(spec),
        };
        if (LocalLayers.Problem(evaluator.Layout, _options.LocalLayers) is { } layerProblem)
        {
            throw new SimulationException($"--local-layers: {layerProblem}");
        }
        var chainDirectory = Path.Combine(_workDirectory, "swarm");
        var watch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(RoundTimeout * _options.Rounds);
        var rounds = new List<RoundMetrics>();
        var best = (Selection: new EpochSelection(), Parameters: initial);
        var ended = new Dictionary<string, SiteTaskEnded>(StringComparer.Ordinal);
        var losses = new Dictionary<int, List<(long Samples, double Loss)>>();
        var samples = Enumerable.Range(0, sites.Length).ToDictionary(SiteId, i => (long)sites[i].Train.Count, StringComparer.Ordinal);
        var trainers = new SiteTrainer?[sites.Length];
        var fedPer = _options.LocalLayers.Count > 0;
        var siteModels = new Dictionary<int, float[][]>();
        IReadOnlyList<BlockSummary> blocks;
        IReadOnlyList<SitePrivacySpent> privacy;
        double swarmSeconds;
        var personalizationWatch = new Stopwatch();
        await using (var swarm = new InProcessSwarm(spec, TaskSpecCodec.Encode(spec), chainDirectory,
            i => SiteOf(i, sites[i], settings, trainers), () => initial,
            _loggers, _configure, privacy: spec.Privacy.Mode == PrivacyModes.Local ? [.. sites.Select(s => new SitePrivacy(s.Train.Count))] : null))
        {
            var roundWatch = Stopwatch.StartNew();
            try
            {
                await foreach (var evt in swarm.Events.ReadAllAsync(deadline.Token).ConfigureAwait(false))
                {
                    switch (evt)
                    {
                        case SiteRoundTrained trained:
                            _progress.SiteTrained(trained.Site, trained.Round, trained.MeanLoss, trained.Elapsed);
                            if (!losses.TryGetValue(trained.Round, out var list))
                            {
                                losses[trained.Round] = list = [];
                            }
                            list.Add((samples[trained.Site], trained.MeanLoss));
                            break;
                        case SiteRoundFinalized finalized when finalized.Round.Round == rounds.Count + 1:
                            var round = finalized.Round;
                            ClassificationResult validation;
                            double validationLoss;
                            if (fedPer)
                            {
                                siteModels[round.Round] = SiteModels(trainers, finalized.Parameters, round.Round);
                                (validation, validationLoss) = MeanScore(evaluator, siteModels[round.Round], splits.Val);
                            }
                            else
                            {
                                evaluator.SetParameters(finalized.Parameters);
                                (validation, validationLoss) = CentralTraining.Evaluate(evaluator, splits.Val);
                            }
                            var metrics = new RoundMetrics(round.Round, validation.Auc, validation.Accuracy,
                                losses.TryGetValue(round.Round, out var l) ? SampleWeightedMean(l) : double.NaN, roundWatch.Elapsed.TotalSeconds,
                                round.Included.Count, round.ModelHash);
                            roundWatch.Restart();
                            rounds.Add(metrics);
                            _progress.RoundCommitted(metrics);
                            if (best.Selection.Offer(round.Round, validation.Auc, validationLoss))
                            {
                                best.Parameters = finalized.Parameters;
                            }
                            if (round.Round == _options.Rounds && _options.PersonalizationEpochs > 0)
                            {
                                personalizationWatch.Start();
                                _progress.PhaseStarted("personalization", sites.Length);
                            }
                            break;
                        case SiteTaskEnded end:
                            if (end.State != TaskState.Completed)
                            {
                                throw new SimulationException($"site {end.Site} ended the task as {end.State}: {end.Detail}");
                            }
                            ended[end.Site] = end;
                            if (_options.PersonalizationEpochs > 0)
                            {
                                _progress.PhaseStep("personalization");
                            }
                            break;
                    }
                    if (ended.Count == sites.Length)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new SimulationException($"the swarm did not finish {_options.Rounds} rounds within {RoundTimeout * _options.Rounds}; " +
                    $"{rounds.Count} rounds final, {ended.Count} sites done");
            }
            swarmSeconds = watch.Elapsed.TotalSeconds - personalizationWatch.Elapsed.TotalSeconds;
            blocks = await swarm.BlocksAsync(0).ConfigureAwait(false);
            privacy = await PrivacyOnChainAsync(swarm, sites).ConfigureAwait(false);
        }
        TryDelete(Path.Combine(chainDirectory, "blobs"));
        IReadOnlyList<SiteScore> perSite = [];
        ClassificationResult test;
        float[] probabilities;
        if (fedPer && siteModels.TryGetValue(best.Selection.Epoch, out var chosen))
        {
            var siteProbabilities = new List<float[]>();
            perSite = [.. chosen.Select((model, i) =>
            {
                evaluator.SetParameters(model);
                siteProbabilities.Add(evaluator.Predict(splits.Test.Images, splits.Test.Shape()));
                return new SiteScore(SiteId(i), ToScore(CentralTraining.Evaluate(evaluator, splits.Test).Metrics));
            })];
            var mean = Score.Mean(perSite.Select(p => p.Score));
            test = new ClassificationResult(mean.Auc, mean.Accuracy);
            // The bootstrap resamples the sites' mean prediction (one model per site has no single prediction).
            probabilities = new float[siteProbabilities[0].Length];
            foreach (var site in siteProbabilities)
            {
                for (var k = 0; k < probabilities.Length; k++)
                {
                    probabilities[k] += site[k] / siteProbabilities.Count;
                }
            }
        }
        else
        {
            evaluator.SetParameters(best.Parameters);
            (test, _) = CentralTraining.Evaluate(evaluator, splits.Test);
            probabilities = evaluator.Predict(splits.Test.Images, splits.Test.Shape());
        }
        var personalized = ended.Values.Where(e => e.Personalized is not null)
            .Select(e => new PersonalizedScore(e.Site, ToScore(e.Personalized!.Global), ToScore(e.Personalized.Personalized)))
            .OrderBy(p => p.Site, StringComparer.Ordinal).ToList();
        return new SwarmOutcome(new Score(test.Auc, test.Accuracy), best.Selection.Epoch, rounds, personalized, blocks,
            [new MethodTiming("swarm rounds", swarmSeconds), new MethodTiming("personalization", personalizationWatch.Elapsed.TotalSeconds)])
        {
            TestProbabilities = probabilities,
            ValidationAuc = best.Selection.Auc,
            Privacy = privacy,
            PerSite = perSite,
            Notes = fedPer
                ? [$"FedPer (local layers {string.Join(", ", _options.LocalLayers)}): no site shares those layers, so the global model's "
                    + "values there are never trained. Each site's model is the global model's shared layers with the site's own local "
                    + "layers as its training of that round left them; the swarm's validation score per round and its test score are "
                    + "the means over the sites' models (each on the full split), and the per-site test scores are listed."]
                : [],
        };
    }

    /// <summary>With FedPer: each site's model of <paramref name="round"/> (the global shared layers and the site's
    /// own local layers), in site order; a site that trained no round yet contributes the global model.</summary>
    private static float[][] SiteModels(SiteTrainer?[] trainers, float[] global, int round) =>
        [.. trainers.Select(t => t?.ModelWithOwnLayers(global, round) ?? global)];

    /// <summary>The mean of the sites' models' scores on <paramref name="split"/>: AUC and accuracy over the models
    /// that define them (<see cref="Score.Mean"/>), and the mean loss.</summary>
    private static (ClassificationResult, double) MeanScore(ITrainer evaluator, float[][] models, ImageDataset split)
    {
        var scores = new List<Score>(models.Length);
        var loss = 0.0;
        foreach (var model in models)
        {
            evaluator.SetParameters(model);
            var (metrics, modelLoss) = CentralTraining.Evaluate(evaluator, split);
            scores.Add(ToScore(metrics));
            loss += modelLoss / models.Length;
        }
        var mean = Score.Mean(scores);
        return (new ClassificationResult(mean.Auc, mean.Accuracy), loss);
    }

    /// <summary>The round's training loss: each included site's mean loss weighted by its training samples, as
    /// FedAvg weights its update.</summary>
    private static double SampleWeightedMean(List<(long Samples, double Loss)> losses)
    {
        double sum = 0, weight = 0;
        foreach (var (count, loss) in losses)
        {
            sum += count * loss;
            weight += count;
        }
        return sum / weight;
    }

    /// <summary>Each site's last privacy claim on site 0's ledger of the chain: what every replica checked against
    /// the accountant (empty without DP).</summary>
    private static async Task<IReadOnlyList<SitePrivacySpent>> PrivacyOnChainAsync(InProcessSwarm swarm, SiteData[] sites)
    {
        var last = new Dictionary<string, UpdatePublished>(StringComparer.Ordinal);
        var chain = await ChainJournalConfig.ReadChainAsync(swarm.JournalOf(swarm.Spec.Participants[0]), swarm.Genesis, InProcessSwarm.ReadTimeout)
            .ConfigureAwait(false);
        foreach (var request in chain.SelectMany(b => b.Block.Requests))
        {
            if (TaskRequest.TryDecode(request.Payload, out _, out _, out _) is UpdatePublished { Privacy: not null } update
                && (!last.TryGetValue(update.Site, out var seen) || seen.Privacy!.Steps < update.Privacy.Steps))
            {
                last[update.Site] = update;
            }
        }
        return [.. Enumerable.Range(0, sites.Length).Select(SiteId).Where(last.ContainsKey).Select(site =>
        {
            var (update, claim) = (last[site], last[site].Privacy!);
            return new SitePrivacySpent(site, update.SampleCount, claim.SamplingRate, claim.NoiseMultiplier, claim.Steps, claim.Delta, claim.Epsilon);
        })];
    }

    private SiteTrainer SiteOf(int index, SiteData data, SiteSettings settings, SiteTrainer?[] built)
    {
        settings = settings with { Behavior = _options.BehaviorOf(index) };
        var trainer = new SiteTrainer(SiteId(index), index, _models(), data, _siteSettings?.Invoke(index, settings) ?? settings);
        built[index] = trainer;
        return trainer;
    }

    private async Task<SwarmOutcome> RunProcessesAsync(MedMnistSplits splits, CancellationToken cancellation)
    {
        using var evaluator = _models();
        TorchRuntime.SetThreads(_options.Threads);
        var watch = Stopwatch.StartNew();
        var outcome = await new ProcessSwarm(_options, Path.Combine(_workDirectory, "swarm"), _progress).RunAsync(cancellation).ConfigureAwait(false);
        var seconds = watch.Elapsed.TotalSeconds;
        var rounds = new List<RoundMetrics>();
        // The same rule as in one process: best validation AUC, or the lowest validation loss while no AUC is defined.
        var selection = new EpochSelection();
        var best = Array.Empty<float>();
        // Round 1's time runs from the chain's first block (the first update), so it leaves out the nodes' start-up.
        var previous = outcome.StartMs;
        foreach (var (round, parameters, timestamp) in outcome.Rounds)
        {
            evaluator.SetParameters(parameters);
            var (validation, loss) = CentralTraining.Evaluate(evaluator, splits.Val);
            rounds.Add(new RoundMetrics(round.Round, validation.Auc, validation.Accuracy, double.NaN, (timestamp - previous) / 1000.0,
                round.Included.Count, round.ModelHash));
            previous = timestamp;
            if (selection.Offer(round.Round, validation.Auc, loss))
            {
                best = parameters;
            }
        }
        if (best.Length == 0)
        {
            throw new SimulationException("the task finished without a final round");
        }
        evaluator.SetParameters(best);
        var (test, _) = CentralTraining.Evaluate(evaluator, splits.Test);
        return new SwarmOutcome(new Score(test.Auc, test.Accuracy), selection.Epoch, rounds, [], outcome.Blocks,
            [new MethodTiming("swarm (node processes: start, consent, rounds, personalization)", seconds)])
        {
            TestProbabilities = evaluator.Predict(splits.Test.Images, splits.Test.Shape()),
            ValidationAuc = selection.Auc,
            Notes = [.. outcome.NodeDetails.Select(d => "node " + d)],
            Transfers = outcome.Transfers,
        };
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftover blobs are only disk space; the report does not depend on them.
        }
    }

    private BaselineOutcome RunCentralized(MedMnistSplits splits, CancellationToken cancellation)
    {
        const string phase = "centralized";
        _progress.PhaseStarted(phase, _options.TotalEpochs);
        using var trainer = _models();
        var result = CentralTraining.Run(trainer, splits, _options.TotalEpochs, _options.TrainOptions(), _options.Schedule,
            _ => _progress.PhaseStep(phase), cancellation);
        return BaselineOutcome.Of("central", trainer, result, splits.Test);
    }

    /// <summary>The central DP-SGD baseline (Abadi et al. 2016) on the pooled training split: Poisson sampling at
    /// q = batch / all training images, the same σ, C and epochs as the swarm, ε from the RDP accountant.</summary>
    private (Score, SitePrivacySpent) RunCentralDp(MedMnistSplits splits, CancellationToken cancellation)
    {
        const string phase = "centralized DP-SGD";
        _progress.PhaseStarted(phase, _options.TotalEpochs);
        using var trainer = _models();
        var n = splits.Train.Count;
        var q = SitePrivacyPlan.SamplingRateOf(_options.BatchSize, n);
        var options = _options.TrainOptions() with { Privacy = new DpOptions(_options.ClipNorm, _options.NoiseMultiplier, q) };
        var result = CentralTraining.Run(trainer, splits, _options.TotalEpochs, options, _options.Schedule,
            _ => _progress.PhaseStep(phase), cancellation);
        var steps = (long)_options.TotalEpochs * DpOptions.StepsPerEpoch(q);
        var epsilon = SitePrivacyPlan.EpsilonOf(q, _options.NoiseMultiplier, steps, _options.Delta);
        return (ToScore(result.Test), new SitePrivacySpent("central", n, q, _options.NoiseMultiplier, steps, _options.Delta, epsilon));
    }

    private IEnumerable<string> PrivacyNotes()
    {
        if (_options.Dp != PrivacyModes.Local)
        {
            yield break;
        }
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        yield return string.Create(culture, $"Local DP: every site ran DP-SGD in every local step of every round (Poisson sampling at q = batch / its own ")
            + string.Create(culture, $"training images, per-example clipping to C = {_options.ClipNorm}, Gaussian noise σC with σ = {_options.NoiseMultiplier}, ")
            + string.Create(culture, $"masks and noise from the OS CSPRNG). Each site's ε at δ = {_options.Delta} is the RDP accountant's over all its steps, ")
            + "as the chain recorded it and every replica rechecked it. Model selection by validation AUC and the validation scores on the chain are not counted in ε.";
        yield return "The centralized DP-SGD row trains on the pooled training split with the same σ, C and epochs (q = batch / all images); " +
            "the centralized and local-only rows train without DP.";
        if (_options.Processes)
        {
            yield return "With --processes each node's ε is on its own chain (swarm task show); this report does not read it.";
        }
    }

    private IReadOnlyList<BaselineOutcome> RunLocalOnly(MedMnistSplits splits, SiteData[] sites, CancellationToken cancellation)
    {
        const string phase = "local-only";
        _progress.PhaseStarted(phase, _options.TotalEpochs * sites.Length);
        var scores = new List<BaselineOutcome>();
        for (var s = 0; s < sites.Length; s++)
        {
            using var trainer = _models();
            // The site's own training and validation data; the score is on the full official test split.
            var own = new MedMnistSplits(sites[s].Train, sites[s].Validation, splits.Test);
            var options = _options.TrainOptions() with { Seed = (ulong)_options.Seed * 1_000_003UL + (ulong)s * 7_919UL };
            var result = CentralTraining.Run(trainer, own, _options.TotalEpochs, options, _options.Schedule,
                _ => _progress.PhaseStep(phase), cancellation);
            scores.Add(BaselineOutcome.Of(SiteId(s), trainer, result, splits.Test));
        }
        return scores;
    }

    private static Score ToScore(ClassificationResult result) => new(result.Auc, result.Accuracy);

    public static string SiteId(int index) => $"site-{index}";

    /// <summary>A baseline's selected model: its test score, test probabilities and validation AUC.</summary>
    private sealed record BaselineOutcome(string Site, Score Test, float[] TestProbabilities, double ValidationAuc)
    {
        /// <summary>Reads the outcome of <see cref="CentralTraining.Run"/>, which leaves the trainer holding the
        /// best-validation epoch's parameters.</summary>
        public static BaselineOutcome Of(string site, ITrainer trainer, CentralTrainingResult result, ImageDataset test) =>
            new(site, ToScore(result.Test), trainer.Predict(test.Images, test.Shape()),
                result.BestEpoch >= 1 ? result.Epochs[result.BestEpoch - 1].Validation.Auc : double.NaN);
    }

    private sealed record SwarmOutcome(Score Test, int SelectedRound, IReadOnlyList<RoundMetrics> Rounds,
        IReadOnlyList<PersonalizedScore> Personalized, IReadOnlyList<BlockSummary> Blocks, IReadOnlyList<MethodTiming> Timings)
    {
        public IReadOnlyList<string> Notes { get; init; } = [];

        public float[] TestProbabilities { get; init; } = [];

        public double ValidationAuc { get; init; } = double.NaN;

        public IReadOnlyList<RoundTraffic> Transfers { get; init; } = [];

        public IReadOnlyList<SitePrivacySpent> Privacy { get; init; } = [];

        public IReadOnlyList<SiteScore> PerSite { get; init; } = [];
    }
}
