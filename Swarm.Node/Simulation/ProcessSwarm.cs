using Swarm.Tasks;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Swarm.Actors.Consensus;
using Swarm.Actors.Tasks;
using Swarm.Node.Identity;
using Swarm.Node.Persistence;
using Swarm.Node.Simulation.Reporting;
using Swarm.Node.Tasks;

namespace Swarm.Node.Simulation;

/// <summary>
/// <c>swarm simulate --processes</c>: the swarm as N real <c>swarm node</c> processes on loopback (mutual TLS,
/// SQLite stores, each node holding only its own share of the data), the task submitted to the first node over
/// HTTP exactly as <c>swarm task submit</c> does, and followed until every node reports it complete. Afterwards
/// the first node's ledger and blobs are read back: the chain's blocks, and the global model of every final round.
/// </summary>
public sealed class ProcessSwarm
{
    private readonly SimulationOptions _options;
    private readonly string _directory;
    private readonly ISimulationProgress _progress;

    public ProcessSwarm(SimulationOptions options, string directory, ISimulationProgress progress)
    {
        _options = options;
        _directory = directory;
        _progress = progress;
    }

    /// <summary>The outcome of a run.</summary>
    /// <param name="Rounds">Each final round, its model's parameters and the timestamp of the block that finalized it.</param>
    /// <param name="Blocks">The chain as the first node's ledger holds it.</param>
    /// <param name="NodeDetails">Each node's last word on the task (personalized scores, final model).</param>
    /// <param name="StartMs">The timestamp of the chain's first block (the first update of round 1).</param>
    /// <param name="Transfers">Blob transfer per round, over all nodes.</param>
    public sealed record Outcome(IReadOnlyList<(FinalizedRound Round, float[] Parameters, long TimestampMs)> Rounds,
        IReadOnlyList<BlockSummary> Blocks, IReadOnlyList<string> NodeDetails, long StartMs, IReadOnlyList<RoundTraffic> Transfers);

    public async Task<Outcome> RunAsync(CancellationToken cancellation)
    {
        var n = _options.Sites;
        using var cluster = new LocalCluster(Path.Combine(_directory, "cluster"), n, _options.PortBase, NodeConfig, keep: true);
        var text = SpecText(cluster.Names);
        var spec = TaskSpecFile.Parse(text, "simulation task");
        for (var i = 0; i < n; i++)
        {
            cluster.Start(i);
        }
        for (var i = 0; i < n; i++)
        {
            await cluster.WaitHealthyAsync(i, TimeSpan.FromMinutes(2), cancellation).ConfigureAwait(false);
        }
        var (status, body) = (0, "");
        for (var attempt = 0; attempt < 10 && status != 201; attempt++)
        {
            (status, body) = await cluster.SubmitAsync(0, text, cancellation).ConfigureAwait(false);
            if (status != 201 && !body.Contains("did not answer", StringComparison.Ordinal))
            {
                break;
            }
        }
        if (status != 201)
        {
            throw new SimulationException($"the nodes did not start the task (HTTP {status}): {body}");
        }
        const string phase = "rounds (node processes)";
        _progress.PhaseStarted(phase, _options.Rounds);
        var seen = 0;
        var done = new TaskProgress?[n];
        while (done.Any(d => d is null))
        {
            await Task.Delay(500, cancellation).ConfigureAwait(false);
            for (var i = 0; i < n; i++)
            {
                if (done[i] is not null || await cluster.ShowAsync<TaskInfo>(i, spec.Id, TaskJson.Options, cancellation).ConfigureAwait(false) is not { } info)
                {
                    continue;
                }
                var progress = info.Progress;
                if (progress.State is TaskState.Failed or TaskState.Cancelled)
                {
                    throw new SimulationException($"{cluster.Names[i]}: task {progress.State}: {progress.Detail}\n{cluster.Output(i, 20)}");
                }
                if (progress.State == TaskState.Completed)
                {
                    done[i] = progress;
                }
                if (i == 0)
                {
                    var final = progress.State == TaskState.Completed ? progress.Rounds : progress.Round - 1;
                    for (; seen < final; seen++)
                    {
                        _progress.PhaseStep(phase);
                    }
                }
            }
        }
        var details = done.Select((d, i) => $"{cluster.Names[i]}: {d!.Detail}; model {d.ModelHash}").ToList();
        if (done.Select(d => d!.ModelHash).Distinct().Count() != 1)
        {
            throw new SimulationException("the nodes ended on different models: " + string.Join("; ", details));
        }
        for (var i = 0; i < n; i++)
        {
            cluster.Kill(i);
        }
        return await ReadAsync(cluster, spec, details, Traffic(done!)).ConfigureAwait(false);
    }

    /// <summary>Sums the nodes' per-round blob fetches.</summary>
    private static IReadOnlyList<RoundTraffic> Traffic(IEnumerable<TaskProgress?> nodes) =>
    [
        .. nodes.SelectMany(n => n?.Transfers ?? []).GroupBy(t => t.Round).OrderBy(g => g.Key)
            .Select(g => new RoundTraffic(g.Key, g.Sum(t => t.Blobs), g.Sum(t => t.Bytes), g.Sum(t => t.Seconds), g.Max(t => t.Seconds))),
    ];

    /// <summary>Reads the first node's chain and the model of every final round from its blobs.</summary>
    private static async Task<Outcome> ReadAsync(LocalCluster cluster, TaskSpec spec, IReadOnlyList<string> details, IReadOnlyList<RoundTraffic> transfers)
    {
        var consortium = ConsortiumFile.Load(cluster.ConsortiumPath);
        var keys = spec.Participants.Select(p => MemberKeys.SigningKey(consortium.Find(p)!)).ToList();
        var (genesis, terms) = TaskGenesis.Create(spec, TaskSpecCodec.Encode(spec), keys);
        var journal = ChainJournalConfig.Sqlite(Path.Combine(cluster.DataDirectory(0), ChainJournalConfig.SqliteFileName));
        var blocks = await ChainJournalConfig.ReadChainAsync(journal, genesis, InProcessSwarm.ReadTimeout).ConfigureAwait(false);
        var chain = TaskChain.Replay(terms, new Ed25519SignatureScheme(), blocks);
        var timestamps = blocks.ToDictionary(b => b.Block.Height, b => b.Block.TimestampMs);
        var blobs = new DirectoryTaskBlobs(Path.Combine(cluster.DataDirectory(0), "tasks", spec.Id));
        var rounds = new List<(FinalizedRound, float[], long)>();
        foreach (var round in chain.Finalized)
        {
            var bytes = blobs.Get(BlobKind.Model, round.ModelHash)
                ?? throw new SimulationException($"{cluster.Names[0]} holds no model for round {round.Round} ({round.ModelHash})");
            rounds.Add((round, MemoryMarshal.Cast<byte, float>(bytes).ToArray(), timestamps[round.Height]));
        }
        return new Outcome(rounds, [.. blocks.Select(b => InProcessSwarm.Summarize(b, spec.Participants))], details,
            blocks.Count > 0 ? blocks[0].Block.TimestampMs : 0, transfers);
    }

    private string NodeConfig(int index) => string.Create(CultureInfo.InvariantCulture, $$"""
        policy { allowed-datasets = [{{_options.Dataset}}] }
        data.sets.{{_options.Dataset}} { partition = {{_options.Partition}}, alpha = {{_options.Alpha}}, sites = {{_options.Sites}}, site-index = {{index}}, seed = {{_options.Seed}}, train-limit = {{_options.TrainLimit}} }
        training { threads = {{_options.Threads}} }

        """);

    /// <summary>The task of <see cref="SimulationOptions.ToTaskSpec"/> as a spec file, the way a researcher would
    /// write it.</summary>
    private string SpecText(IReadOnlyList<string> nodes)
    {
        var spec = _options.ToTaskSpec(nodes);
        var personalization = spec.Personalization;
        var layers = personalization.LocalLayers is { Count: > 0 } local ? $", local-layers = [{string.Join(", ", local)}]" : "";
        var text = new StringBuilder();
        text.AppendLine("task {");
        text.AppendLine(CultureInfo.InvariantCulture, $"  id = \"{spec.Id}\"");
        text.AppendLine(CultureInfo.InvariantCulture, $"  model = {spec.Model}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  participants = [{string.Join(", ", spec.Participants)}]");
        text.AppendLine(CultureInfo.InvariantCulture, $"  datasets {{ {string.Join(", ", spec.Participants.Select(n => $"{n} = {spec.Datasets[n]}"))} }}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  rounds = {spec.Rounds}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  local-epochs = {spec.LocalEpochs}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  optimizer {{ name = {spec.Optimizer.Name}, learning-rate = {spec.Optimizer.LearningRate}, batch-size = {spec.Optimizer.BatchSize} }}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  aggregation {{ strategy = {spec.Aggregation.Strategy} }}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  partial-share-fraction = {spec.PartialShareFraction}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  partial-share-error-feedback = {(spec.Sharing.ErrorFeedback ? "true" : "false")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  partial-share-scope = {spec.Sharing.Scope}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  quorum = {spec.Quorum}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  round-deadline = {(long)spec.RoundDeadline.TotalSeconds}s");
        text.AppendLine(CultureInfo.InvariantCulture, $"  personalization {{ mode = {personalization.Mode}, epochs = {personalization.Epochs}{layers} }}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  seed = {spec.Seed}");
        text.AppendLine("}");
        return text.ToString();
    }
}
