using System.Text;
using Swarm.Actors.Consensus;
using Swarm.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus.Simulation;

/// <summary>A deterministic simulation of one chain: a seeded event queue on fake time, replicas behind their
/// real edge (<see cref="ReplicaHost"/>: envelope verification, signing, persisting), a faulty network and
/// Byzantine replicas. Every commit is checked for safety at once; the run checks liveness after the heal.
/// The same seed always replays the same run (TigerBeetle's VOPR; FoundationDB's simulation testing).</summary>
public sealed class Simulation : IDisposable
{
    public static readonly ChainParameters SimParameters = new(BatchSizeMax: 8, CheckpointIntervalBlocks: 4,
        WatermarkWindowBlocks: 8, ClockSkewMaxMs: 60_000, GenesisTimestampMs: 0);

    public static readonly ReplicaOptions SimOptions = new()
    {
        RequestTimeoutTicks = 30,
        ViewChangeTimeoutTicks = 30,
        FetchTimeoutTicks = 5,
        PipelineBlocksMax = 4,
        FetchBlocksMax = 16,
        PeerFutureMessagesMax = 64,
        ViewChangeBackoffShiftMax = 3,
        RequestIdWindowMax = 1_000_000,
    };

    private readonly PriorityQueue<Action, (long Time, long Order)> _events = new();
    private readonly Dictionary<long, Digest> _decided = [];
    private readonly Dictionary<(int From, int To), List<SignedMessage>> _held = [];
    private readonly ISignatureVerifier _verifier;
    private readonly CertificateVerifier _certificates;
    private readonly ReplicaOptions _options;
    private long _order;
    private long _nextRequest;
    private string? _failure;
    private bool _done;
    private long _target;
    private bool _quiet;
    private readonly Dictionary<RequestKey, ClientRequest> _submitted = [];
    private readonly Dictionary<string, (ClientRequest Request, long SentAtMs)> _outstanding = [];
    private long _crashesMidStep;
    private long _restarts;
    private const int ClientCount = 8;
    private const long ClientRetryMs = 200;

    public Simulation(Scenario scenario, ulong seed, Func<int, Genesis, IReplicaLedger>? ledgers = null)
    {
        Scenario = scenario;
        Seed = seed;
        Random = new SimRandom(seed);
        Network = new SimNetwork(Random);
        _options = SimOptions;
        _verifier = scenario.RealSignatures ? new Ed25519SignatureScheme() : new FakeSignatureScheme();
        var signers = Enumerable.Range(0, scenario.N)
            .Select(i => scenario.RealSignatures ? (ISigner)Ed25519Signer.Generate() : FakeSignatureScheme.CreateSigner(i)).ToArray();
        Genesis = new Genesis($"sim-{scenario.Name.Replace(' ', '-')}", signers.Select((s, i) => new Member(i, s.PublicKey)).ToArray(), scenario.F, SimParameters);
        ClientSigners = Enumerable.Range(0, ClientCount).ToDictionary(c => $"client-{c}",
            c => scenario.RealSignatures ? (ISigner)Ed25519Signer.Generate() : FakeSignatureScheme.CreateSigner(1_000 + c));
        Clients = new ClientKeys(ClientSigners.Select(e => KeyValuePair.Create(e.Key, e.Value.PublicKey)));
        _certificates = new CertificateVerifier(Genesis.ChainId, _verifier);
        ledgers ??= (_, _) => new InMemoryReplicaLedger();
        Nodes = Enumerable.Range(0, scenario.N)
            .Select(i => new SimNode(i, scenario.Byzantine.GetValueOrDefault(i), signers[i], ledgers(i, Genesis))).ToArray();
    }

    public Scenario Scenario { get; }

    /// <summary>The clients' own keys: each signs its requests; no replica holds them.</summary>
    public IReadOnlyDictionary<string, ISigner> ClientSigners { get; }

    /// <summary>The chain's clients, whose requests replicas admit.</summary>
    public ClientKeys Clients { get; }

    /// <summary>The workload's latest signed request (what a request-forging replica renumbers).</summary>
    public ClientRequest? LastSubmitted { get; private set; }

    public ulong Seed { get; }
    public SimRandom Random { get; }
    public SimNetwork Network { get; }
    public Genesis Genesis { get; }
    public IReadOnlyList<SimNode> Nodes { get; }
    public long NowMs { get; private set; }
    public long EventsRun { get; private set; }

    /// <summary>Replicas that crashed in the middle of a step (between two of its outputs).</summary>
    public long CrashesMidStep => _crashesMidStep;

    /// <summary>Restarts from the store that happened.</summary>
    public long Restarts => _restarts;

    /// <summary>Replicas crashed while up (not counting crashes in the middle of a step).</summary>
    public long Crashes { get; private set; }

    /// <summary>Messages held on a clogged link.</summary>
    public long HeldByClogs { get; private set; }

    /// <summary>Client requests still waiting to execute.</summary>
    public int Outstanding => _outstanding.Count;

    public SimulationResult Run()
    {
        foreach (var node in Nodes.Where(n => n.Kind != ByzantineKind.Silent))
        {
            node.Host = CreateHost(node, new Replica(Genesis, node.Id, _options));
            Schedule(Random.Range(0, Scenario.TickMs - 1), () => TickLoop(node));
        }
        foreach (var fault in Scenario.Faults)
        {
            Schedule(fault.AtMs, () => fault.Apply(this));
        }
        Schedule(Scenario.HealAtMs, Heal);
        Schedule(1, SubmitLoop);
        var deadline = Scenario.HealAtMs + Scenario.LivenessBoundMs;
        try
        {
            while (!_done && _failure is null && _events.TryDequeue(out var action, out var at))
            {
                if (at.Time > deadline)
                {
                    _failure = $"liveness: not every honest replica reached height {_target}, then one last block, within {Scenario.LivenessBoundMs} ms after the heal at {Scenario.HealAtMs} ms";
                    break;
                }
                NowMs = at.Time;
                EventsRun++;
                action();
            }
        }
        catch (InvariantViolationException e)
        {
            _failure = e.Message;
        }
        if (_failure is null && Nodes.FirstOrDefault(n => n.Honest && n.Host?.Replica.Halted == true) is { } halted)
        {
            _failure = $"safety: honest replica {halted.Id} detected a fork and stopped";
        }
        if (!_done && _failure is null)
        {
            _failure = "the event queue ran dry before liveness was reached";
        }
        return new SimulationResult(_failure is null, Report());
    }

    private string Report()
    {
        var text = new StringBuilder();
        text.AppendLine($"scenario '{Scenario.Name}' seed {Seed} (replay: SWARM_SIM_SEED={Seed}) n={Scenario.N} f={Scenario.F} at {NowMs} ms, {EventsRun} events");
        text.AppendLine(_failure is null ? "result: ok" : "FAILED: " + _failure);
        foreach (var node in Nodes)
        {
            text.AppendLine($"  {node.StatusLine}, edge rejections {node.EdgeRejections}, core rejections {node.CoreRejections}" +
                (node.LastRejection is null ? "" : $", last: {node.LastRejection}"));
        }
        return text.ToString();
    }

    private readonly List<Action> _onDispose = [];

    public void OnDispose(Action action) => _onDispose.Add(action);

    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            node.Host = null;
        }
        _onDispose.ForEach(a => a());
    }

    public void Schedule(long delayMs, Action action) => _events.Enqueue(action, (NowMs + delayMs, _order++));

    private ReplicaHost CreateHost(SimNode node, Replica replica)
    {
        var host = new ReplicaHost(replica, Genesis.ChainId, node.Signer, _verifier, Clients, node.Ledger, new NodeTransport(this, node.Id));
        host.Committed += committed => OnCommitted(node, committed);
        host.ForkDetected += fork => _failure ??= $"safety: replica {node.Id} detected a fork at {fork.Height}: {fork.Reason}";
        host.Rejected += r =>
        {
            node.CoreRejections++;
            node.LastRejection = $"from {r.From}: {r.Reason}";
        };
        return host;
    }

    /// <summary>The safety check, run at every commit: one block per height across honest replicas, each block
    /// extending the replica's previous one and carrying a certificate that verifies offline.</summary>
    private void OnCommitted(SimNode node, Committed committed)
    {
        var block = committed.Block.Block;
        if (!node.Honest)
        {
            node.CommittedHashes.Add(block.Hash);
            return;
        }
        if (block.Height != node.CommittedHashes.Count + 1)
        {
            _failure = $"safety: replica {node.Id} committed height {block.Height} after {node.CommittedHashes.Count}";
            return;
        }
        if (node.CommittedHashes.Count > 0 && node.CommittedHashes[^1] != block.PreviousHash)
        {
            _failure = $"safety: replica {node.Id} block {block.Height} does not extend its committed prefix";
            return;
        }
        var verdict = _certificates.Verify(node.Host!.Replica.ConfigurationFor(block.Height), block, committed.Block.Certificate);
        if (!verdict.Ok)
        {
            _failure = $"safety: replica {node.Id} committed block {block.Height} with a bad certificate: {verdict.Reason}";
            return;
        }
        if (_decided.TryGetValue(block.Height, out var decided) && decided != block.Hash)
        {
            _failure = $"safety: replica {node.Id} committed {block.Hash} at height {block.Height}, another honest replica committed {decided}";
            return;
        }
        _decided[block.Height] = block.Hash;
        node.CommittedHashes.Add(block.Hash);
        CheckExecuted(node, committed.Executed);
        CheckDone();
    }

    /// <summary>Validity and exactly-once (Castro and Liskov §4.1): every request an honest replica executes was
    /// submitted by its client, with that payload, and executes once at that replica, across restarts too.</summary>
    private void CheckExecuted(SimNode node, IReadOnlyList<ClientRequest> executed)
    {
        foreach (var request in executed)
        {
            if (!_submitted.TryGetValue(request.Key, out var submitted) || !submitted.Payload.AsSpan().SequenceEqual(request.Payload))
            {
                _failure ??= $"validity: replica {node.Id} executed request {request.ClientId}/{request.RequestId}, which its client never submitted";
                return;
            }
            if (!node.Executed.Add(request.Key))
            {
                _failure ??= $"exactly-once: replica {node.Id} executed request {request.ClientId}/{request.RequestId} twice";
                return;
            }
            if (_outstanding.TryGetValue(request.ClientId, out var waiting) && waiting.Request.Key == request.Key)
            {
                _outstanding.Remove(request.ClientId);
            }
        }
    }

    /// <summary>Liveness: every honest replica reaches the target height; then the workload stops and every honest
    /// replica must reach the same last block. The second half catches a replica that follows the chain only at
    /// checkpoints (for example one left alone in a higher view): it reaches any height eventually, but it would
    /// miss the last blocks of a chain that goes quiet, as a task's chain does after its last round.</summary>
    private void CheckDone()
    {
        var honest = Nodes.Where(n => n.Honest).ToList();
        if (_target <= 0 || !honest.All(n => n.CommittedHashes.Count >= _target))
        {
            return;
        }
        _quiet = true;
        if (honest.All(n => n.Up) && honest.Select(n => n.CommittedHashes.Count).Distinct().Count() == 1 && _outstanding.Count == 0)
        {
            _done = true;
        }
    }

    private void TickLoop(SimNode node)
    {
        if (node.Host is { } host)
        {
            Guarded(node, () => host.Tick(NowMs + node.ClockOffsetMs));
            if (node.Up)
            {
                ByzantineActions.OnTick(this, node);
            }
            CheckDone();
        }
        Schedule(Scenario.TickMs, () => TickLoop(node));
    }

    /// <summary>Clients as in §4.1: each has one request outstanding at a time, with increasing ids, and sends it
    /// again (to another replica) until it executes; the workload stops at the target, the retries do not.</summary>
    private void SubmitLoop()
    {
        var live = Nodes.Where(n => n.Honest && n.Up).ToList();
        if (live.Count > 0)
        {
            foreach (var (client, (request, sentAt)) in _outstanding.Where(o => NowMs - o.Value.SentAtMs >= ClientRetryMs).ToList())
            {
                _outstanding[client] = (request, NowMs);
                SubmitAt(live[Random.Next(live.Count)], request);
            }
            var idle = $"client-{Random.Next(ClientCount)}";
            if (!_quiet && !_outstanding.ContainsKey(idle))
            {
                var request = new ClientRequest(idle, ++_nextRequest, BitConverter.GetBytes(_nextRequest))
                    .SignedWith(Genesis.ChainId, bytes => ClientSigners[idle].Sign(bytes));
                _submitted[request.Key] = request;
                LastSubmitted = request;
                _outstanding[idle] = (request, NowMs);
                SubmitAt(live[Random.Next(live.Count)], request);
            }
        }
        Schedule(Scenario.WorkloadIntervalMs, SubmitLoop);
    }

    private void SubmitAt(SimNode node, ClientRequest request) => Guarded(node, () => node.Host!.Submit(request));

    /// <summary>Runs a host call; a crash planted in the middle of a step (<see cref="SimNode.CrashAfterSends"/>)
    /// ends it there, with the outputs before it carried out and the rest lost.</summary>
    private void Guarded(SimNode node, Action action)
    {
        try
        {
            action();
        }
        catch (SimulatedCrash)
        {
            _crashesMidStep++;
            Crash(node.Id);
        }
    }

    /// <summary>Thrown by a replica's transport to crash it between two outputs of one step.</summary>
    private sealed class SimulatedCrash : Exception;

    /// <summary>Plans a crash of a replica after its next <paramref name="sends"/> messages, in the middle of a step.</summary>
    public void CrashMidStep(int id, int sends)
    {
        if (Nodes[id].Up)
        {
            Nodes[id].CrashAfterSends = sends;
        }
    }

    /// <summary>Sends a message through the network's faults; Byzantine senders may change it first.</summary>
    internal void Transmit(int from, int? to, SignedMessage message)
    {
        var node = Nodes[from];
        if (node.CrashAfterSends is int left)
        {
            if (left <= 0)
            {
                node.CrashAfterSends = null;
                throw new SimulatedCrash();
            }
            node.CrashAfterSends = left - 1;
        }
        foreach (var (target, sent) in ByzantineActions.Outgoing(this, Nodes[from], to, message))
        {
            Route(from, target, sent);
        }
    }

    internal void Route(int from, int to, SignedMessage message)
    {
        if (to == from || to < 0 || to >= Nodes.Count)
        {
            return;
        }
        if (Network.IsClogged(from, to))
        {
            HeldByClogs++;
            if (!_held.TryGetValue((from, to), out var held))
            {
                held = [];
                _held[(from, to)] = held;
            }
            held.Add(message);
            return;
        }
        foreach (var delay in Network.Fate(from, to))
        {
            Schedule(delay, () => Deliver(to, message));
        }
    }

    private void Deliver(int to, SignedMessage message)
    {
        var node = Nodes[to];
        if (node.Host is not { } host)
        {
            return;
        }
        if (node.Kind == ByzantineKind.Replayer && node.Recorded.Count < 2_000)
        {
            node.Recorded.Add(message);
        }
        Guarded(node, () =>
        {
            if (!host.Deliver(message).Ok)
            {
                node.EdgeRejections++;
            }
        });
    }

    /// <summary>Submits a request at a replica, as a client of that node would.</summary>
    public void Submit(int id, ClientRequest request)
    {
        _submitted[request.Key] = request;
        if (Nodes[id].Up)
        {
            SubmitAt(Nodes[id], request);
        }
    }

    public void Crash(int id)
    {
        Crashes += Nodes[id].Up ? 1 : 0;
        Nodes[id].Host = null;
        Nodes[id].CrashAfterSends = null;
        foreach (var link in _held.Keys.Where(l => l.To == id).ToList())
        {
            _held.Remove(link);
        }
    }

    /// <summary>Restarts a replica from its store: the ledger's blocks and the hard state.</summary>
    public void Restart(int id)
    {
        var node = Nodes[id];
        if (node.Up)
        {
            // A crash planned mid-step that has not happened by its restart time does not happen.
            node.CrashAfterSends = null;
            return;
        }
        if (node.Kind == ByzantineKind.Silent)
        {
            return;
        }
        node.Host = CreateHost(node, ReplicaHost.Restore(Genesis, id, _options, node.Ledger));
        _restarts++;
    }

    public void Unclog(int from, int to)
    {
        if (Network.Unclog(from, to) && _held.Remove((from, to), out var held))
        {
            foreach (var message in held)
            {
                Route(from, to, message);
            }
        }
    }

    /// <summary>FoundationDB's swizzle-clog: clog the links one by one in a random order, then unclog them one by
    /// one in another random order.</summary>
    public void SwizzleClog(long stepMs)
    {
        var links = new List<(int, int)>();
        for (var a = 0; a < Nodes.Count; a++)
        {
            for (var b = 0; b < Nodes.Count; b++)
            {
                if (a != b)
                {
                    links.Add((a, b));
                }
            }
        }
        Shuffle(links);
        var clogCount = links.Count / 2 + Random.Next(links.Count / 2);
        for (var i = 0; i < clogCount; i++)
        {
            var (a, b) = links[i];
            Schedule(i * stepMs, () => Network.Clog(a, b));
        }
        var unclog = links.Take(clogCount).ToList();
        Shuffle(unclog);
        for (var i = 0; i < unclog.Count; i++)
        {
            var (a, b) = unclog[i];
            Schedule((clogCount + i) * stepMs, () => Unclog(a, b));
        }
    }

    private void Shuffle<T>(List<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = Random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>The heal: the network is repaired, clogged links open and crashed honest replicas restart.</summary>
    private void Heal()
    {
        Network.Repair();
        foreach (var node in Nodes)
        {
            node.CrashAfterSends = null;
        }
        foreach (var (from, to) in Network.CloggedLinks)
        {
            Unclog(from, to);
        }
        foreach (var node in Nodes.Where(n => n.Honest && !n.Up))
        {
            Restart(node.Id);
        }
        _target = Nodes.Where(n => n.Honest).Max(n => n.CommittedHashes.Count) + Scenario.TargetHeight;
        CheckDone();
    }

    /// <summary>A membership change approved by a quorum of the initial members, honest ones first.</summary>
    public ClientRequest Approved(MembershipChange change, long requestId)
    {
        var bytes = change.SigningBytes(Genesis.ChainId, requestId);
        var approvals = Nodes.OrderBy(n => n.Honest ? 0 : 1).Take(Genesis.InitialConfiguration.Quorum)
            .Select(n => new MemberApproval(n.Id, n.Signer.Sign(bytes))).ToArray();
        return (change with { Approvals = approvals }).ToRequest(requestId);
    }

    public SignedMessage Sign(SimNode node, PbftMessage message) =>
        new(message, node.Signer.Sign(MessageCodec.SigningBytes(Genesis.ChainId, message)));

    private sealed class NodeTransport(Simulation simulation, int id) : IReplicaTransport
    {
        public void Send(int from, int to, SignedMessage message) => simulation.Transmit(id, to, message);

        public void Broadcast(int from, SignedMessage message) => simulation.Transmit(id, null, message);
    }
}
