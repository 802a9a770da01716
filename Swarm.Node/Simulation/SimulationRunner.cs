using System.Diagnostics;
using Swarm.Actors.Runtime;
using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Data;
using Swarm.Learning.Metrics;
using Swarm.Learning.Training;
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

    /// <param name="options">The run's configuration.</param>
    /// <param name="progress">Receives progress, possibly from actor threads.</param>
    /// <param name="models">Builds a fresh model; every call must give the same initial parameters.</param>
    public SimulationRunner(SimulationOptions options, Func<ITrainer> models, ISimulationProgress progress)
    {
        _options = options;
        _models = models;
        _progress = progress;
    }

    public async Task<SimulationResults> RunAsync(MedMnistSplits splits, CancellationToken cancellation = default)
    {
        splits = SiteSplits.Limit(splits, _options.TrainLimit);
        var sites = SiteSplits.Create(splits, _options);
        var timings = new List<MethodTiming>();
        var watch = Stopwatch.StartNew();
        var swarm = await RunSwarmAsync(splits, sites, cancellation).ConfigureAwait(false);
        timings.Add(new MethodTiming("swarm total (set-up, rounds, personalization)", watch.Elapsed.TotalSeconds));

        watch.Restart();
        var centralized = RunCentralized(splits, cancellation);
        timings.Add(new MethodTiming("centralized", watch.Elapsed.TotalSeconds));

        watch.Restart();
        var localOnly = RunLocalOnly(splits, sites, cancellation);
        timings.Add(new MethodTiming("local-only (all sites)", watch.Elapsed.TotalSeconds));

        return new SimulationResults(_options.Dataset, _options.Model, _options.Sites, _options.Seed,
            _options.PartitionLabel, swarm.Test, centralized, localOnly, swarm.Personalized, swarm.Rounds, [],
            _options.ToHocon())
        {
            Timings = [.. swarm.Timings, .. timings],
            Notes =
            [
                $"Swarm test score: the global model of round {swarm.SelectedRound} (best global validation AUC; the "
                + "global validation split is the union of the sites' validation slices). Centralized and local-only "
                + "pick their best epoch by validation AUC the same way.",
                "Each round is accepted only when every included site recomputed the same aggregate and model "
                + "SHA-256 from the published update bytes. Rounds are not yet committed through PBFT, so the chain "
                + "table is empty: no blocks are made up.",
                $"Sites train one after another (one process, {_options.Threads} libtorch threads each).",
            ],
        };
    }

    private async Task<SwarmOutcome> RunSwarmAsync(MedMnistSplits splits, SiteData[] sites, CancellationToken cancellation)
    {
        // The evaluator comes first: a missing or broken engine fails here, before any actor starts.
        using var evaluator = _models();
        TorchRuntime.SetThreads(_options.Threads);
        var settings = new SiteSettings(TrainOptions(), _options.Schedule, AggregationStrategies.Create(_options.Strategy));
        using var gate = new SemaphoreSlim(1, 1);
        await using var system = new ActorSystem("simulation");
        var refs = new Dictionary<string, ActorRef>(StringComparer.Ordinal);
        for (var s = 0; s < sites.Length; s++)
        {
            var (id, index, data) = (SiteId(s), s, sites[s]);
            refs[id] = system.ActorOf(Props.Create(() => new TrainerActor(
                () => new SiteTrainer(id, index, _models(), data, settings), gate)), id);
        }
        var coordinator = system.ActorOf(Props.Create(() => new RoundCoordinatorActor(refs, _options.EffectiveQuorum,
            settings.Strategy, r => _progress.SiteTrained(r.Update.SiteId, r.Round, r.MeanLoss, r.Elapsed))), "coordinator");

        var global = new float[evaluator.Layout.TotalLength];
        evaluator.GetParameters(global);
        var rounds = new List<RoundMetrics>();
        var best = (Auc: double.NegativeInfinity, Round: 0, Parameters: global);
        var watch = Stopwatch.StartNew();
        for (var round = 1; round <= _options.Rounds; round++)
        {
            cancellation.ThrowIfCancellationRequested();
            var roundWatch = Stopwatch.StartNew();
            var instruction = new TrainIns(round, global, _options.LocalEpochs, (round - 1) * _options.LocalEpochs,
                _options.TotalEpochs, _options.Theta);
            var outcome = await coordinator.Ask<object>(new RunRound(instruction), RoundTimeout, cancellation).ConfigureAwait(false);
            var completed = outcome switch
            {
                RoundCompleted { Decision.Accepted: true } done => done,
                RoundCompleted rejected => throw new SimulationException($"round {round} rejected: {rejected.Decision.Reason}"),
                RoundFailed failed => throw new SimulationException($"round {round} failed: {failed.Reason}"),
                _ => throw new SimulationException($"round {round}: unexpected answer {outcome.GetType().Name}"),
            };
            global = completed.Decision.Proposal.Parameters;
            evaluator.SetParameters(global);
            var (validation, _) = CentralTraining.Evaluate(evaluator, splits.Val);
            var metrics = new RoundMetrics(round, validation.Auc, validation.Accuracy, MeanLoss(completed.Results),
                roundWatch.Elapsed.TotalSeconds, completed.Results.Count, completed.Decision.Proposal.ModelHash);
            rounds.Add(metrics);
            _progress.RoundCommitted(metrics);
            if (validation.Auc > best.Auc)
            {
                best = (validation.Auc, round, global);
            }
        }
        var swarmSeconds = watch.Elapsed.TotalSeconds;
        evaluator.SetParameters(best.Parameters);
        var (test, _) = CentralTraining.Evaluate(evaluator, splits.Test);

        watch.Restart();
        var personalized = await PersonalizeAsync(refs, best.Parameters, cancellation).ConfigureAwait(false);
        return new SwarmOutcome(new Score(test.Auc, test.Accuracy), best.Round, rounds, personalized,
            [new MethodTiming("swarm rounds", swarmSeconds), new MethodTiming("personalization", watch.Elapsed.TotalSeconds)]);
    }

    private async Task<IReadOnlyList<PersonalizedScore>> PersonalizeAsync(Dictionary<string, ActorRef> sites,
        float[] global, CancellationToken cancellation)
    {
        if (_options.PersonalizationEpochs == 0)
        {
            return [];
        }
        const string phase = "personalization";
        _progress.PhaseStarted(phase, sites.Count);
        var instruction = new PersonalizeIns(global, _options.PersonalizationEpochs,
            _options.LearningRate * _options.PersonalizationRateFactor);
        var answers = await Task.WhenAll(sites.Values.Select(site =>
            site.Ask<object>(instruction, RoundTimeout, cancellation))).ConfigureAwait(false);
        var scores = new List<PersonalizedScore>();
        foreach (var answer in answers)
        {
            var result = answer as PersonalizeRes
                ?? throw new SimulationException($"personalization failed: {(answer as TrainingFailed)?.Reason ?? answer.GetType().Name}");
            scores.Add(new PersonalizedScore(result.SiteId, ToScore(result.Global), ToScore(result.Personalized)));
            _progress.PhaseStep(phase);
        }
        return [.. scores.OrderBy(s => s.Site, StringComparer.Ordinal)];
    }

    private Score RunCentralized(MedMnistSplits splits, CancellationToken cancellation)
    {
        const string phase = "centralized";
        _progress.PhaseStarted(phase, _options.TotalEpochs);
        using var trainer = _models();
        var result = CentralTraining.Run(trainer, splits, _options.TotalEpochs, TrainOptions(), _options.Schedule,
            _ => _progress.PhaseStep(phase), cancellation);
        return ToScore(result.Test);
    }

    private IReadOnlyList<SiteScore> RunLocalOnly(MedMnistSplits splits, SiteData[] sites, CancellationToken cancellation)
    {
        const string phase = "local-only";
        _progress.PhaseStarted(phase, _options.TotalEpochs * sites.Length);
        var scores = new List<SiteScore>();
        for (var s = 0; s < sites.Length; s++)
        {
            using var trainer = _models();
            // The site's own training and validation data; the score is on the full official test split.
            var own = new MedMnistSplits(sites[s].Train, sites[s].Validation, splits.Test);
            var options = TrainOptions() with { Seed = (ulong)_options.Seed * 1_000_003UL + (ulong)s * 7_919UL };
            var result = CentralTraining.Run(trainer, own, _options.TotalEpochs, options, _options.Schedule,
                _ => _progress.PhaseStep(phase), cancellation);
            scores.Add(new SiteScore(SiteId(s), ToScore(result.Test)));
        }
        return scores;
    }

    private TrainOptions TrainOptions() => new()
    {
        Optimizer = OptimizerKind.Adam,
        LearningRate = _options.LearningRate,
        BatchSize = _options.BatchSize,
        Seed = (ulong)_options.Seed,
        Threads = _options.Threads,
    };

    private static double MeanLoss(IReadOnlyList<TrainRes> results)
    {
        var samples = results.Sum(r => (double)r.Update.SampleCount);
        return results.Sum(r => r.MeanLoss * r.Update.SampleCount) / samples;
    }

    private static Score ToScore(ClassificationResult result) => new(result.Auc, result.Accuracy);

    public static string SiteId(int index) => $"site-{index}";

    private sealed record SwarmOutcome(Score Test, int SelectedRound, IReadOnlyList<RoundMetrics> Rounds,
        IReadOnlyList<PersonalizedScore> Personalized, IReadOnlyList<MethodTiming> Timings);
}
