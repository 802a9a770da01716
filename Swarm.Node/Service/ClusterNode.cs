using Swarm.Tasks;
using System.Net;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Gossip;
using Swarm.Actors.Membership;
using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors.Platform;
using Swarm.Consensus.Storage;
using Swarm.Node.Blobs;
using Swarm.Node.Configuration;
using Swarm.Node.Identity;
using Swarm.Node.Networking;
using Swarm.Node.Persistence;
using Swarm.Node.Security;
using Swarm.Node.Tasks;

namespace Swarm.Node.Service;

/// <summary>One running node: its store, actor system, peer transport, gossip actor and HTTP endpoint, started
/// and stopped in order. Start: store (incarnation persisted) → actors → transport → gossip → HTTP. Stop (SIGTERM):
/// leave the cluster by gossiping Leaving → let that gossip go out → stop the actors → close the transport (stop
/// accepting peers) → stop HTTP → close the store.</summary>
public sealed class ClusterNode : IAsyncDisposable
{
    /// <summary>Chain id under which the node keeps its own state in the ledger store.</summary>
    public const string NodeChainId = "node";

    private readonly NodeSettings _settings;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly ActorSystem? _hostSystem;
    private ILedgerStore? _store;
    private Consortium? _consortium;
    private ActorSystem? _system;
    private RemoteActorTransport? _remote;
    private BlobTransfer? _blobs;
    private BlobStore? _inbox;
    private readonly TaskBlobSource _served = new();
    private PeerTransport? _transport;
    private NodeIdentity? _identity;
    private IActorRef? _gossip;
    private NodeHttpServer? _http;
    private readonly Func<TaskLaunch, Props>? _taskPeers;
    private IActorRef? _tasks;
    private TaskPeerFactory? _engine;
    private LedgerStoreFactory? _storeFactory;
    private TaskManagerOptions? _taskOptions;
    private AdminToken? _adminToken;
    private AuditLog? _audit;
    private readonly NodeMetrics _metrics = new();
    private readonly SemaphoreSlim _metricsGate = new(1, 1);

    /// <param name="settings">Every setting of the node.</param>
    /// <param name="loggers">Where the node logs.</param>
    /// <param name="time">The node's clock.</param>
    /// <param name="taskPeers">Props of a task's local peer (the task engine), given the consented task; null
    /// means this node has no task engine, and tasks it consents to fail here with that reason.</param>
    /// <param name="system">The node's actor system when the host owns it (Akka.Hosting, configured with
    /// <see cref="ActorSystemConfig"/>); null: the node creates its own and terminates it when it stops.</param>
    public ClusterNode(NodeSettings settings, ILoggerFactory loggers, TimeProvider time, Func<TaskLaunch, Props>? taskPeers = null,
        ActorSystem? system = null)
    {
        _hostSystem = system;
        _taskPeers = taskPeers;
        _settings = settings;
        _loggers = loggers;
        _log = loggers.CreateLogger<ClusterNode>();
        _time = time;
        _started = time.GetTimestamp();
    }

    public Uri? HttpAddress => _http?.Address;

    /// <summary>The file of the node's admin token (<see cref="AdminToken"/>), once started.</summary>
    public string? AdminTokenPath => _adminToken?.Path;

    /// <summary>Raised (on an actor's thread) when a task chain's stored consensus state cannot be read: the node
    /// must stop (see <see cref="TaskManagerOptions.OnUnreadableReplicaState"/>).</summary>
    public event Action<string>? UnreadableReplicaState;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var id = _settings.Node.Id;
        // Files are checked before anything is opened, so a misconfigured node leaves nothing behind.
        var consortium = _settings.Consortium.File.Length == 0 ? null : LoadConsortium(_settings.Consortium.File, id);
        _consortium = consortium;
        _identity = consortium is null ? null : IdentityLoader.Load(_settings.Tls, _settings.Node, consortium);
        (_adminToken, _audit) = OpenCredentials();
        var incarnation = OpenStore();
        _system = _hostSystem ?? SwarmActorSystem.Create(id, _loggers, ActorSystemConfig(_settings));
        NodeLogging.For(_system).Factory = _loggers;
        var seeds = consortium is null ? [] : StartTransport(consortium, _identity!);
        var options = new GossipActorOptions(incarnation, seeds, MembershipOptionsOf(_settings.Gossip), _settings.Gossip.Interval, Random.Shared.Next());
        _gossip = _system.ActorOf(GossipActor.Props(options).WithMailbox(PeerMailbox), GossipActorOptions.ActorName);
        var peers = _taskPeers;
        if (peers is null && consortium is not null)
        {
            // The task engine: each consented task gets a peer with its own chain in this node's journal.
            _engine = new TaskPeerFactory(id, consortium, _identity!, _settings.Node.DataDir, _settings.Training.Threads,
                () => _system!, new TransferBlobFetcher(_blobs!, _inbox!), _served)
            {
                Budget = _settings.Policy.ToPolicy().Budget,
            };
            peers = launch => _engine.Create(launch.Spec, launch.SpecBytes, launch.Data).WithMailbox(PeerMailbox);
        }
        _taskOptions = new TaskManagerOptions(id, _settings.Policy.ToPolicy(), new ConfiguredDataSource(_settings.Data),
            consortium is null ? member => member == id : member => consortium.Find(member) is not null, peers)
        {
            Journal = new StoreTaskJournal(_store!),
            ConsentTimeout = _settings.Tasks.ConsentTimeout,
            StartTimeout = _settings.Tasks.StartTimeout,
            TasksMax = _settings.Tasks.TasksMax,
            ProgressTimeout = _settings.Actors.AskTimeout,
            OnUnreadableReplicaState = message => UnreadableReplicaState?.Invoke(message),
            Audit = _audit,
        };
        _tasks = _system.ActorOf(TaskManagerActor.Props(_taskOptions).WithMailbox(PeerMailbox), Actors.Tasks.TaskPaths.ManagerName);
        _http = await NodeHttpServer.StartAsync(_settings.Http.Port, this, _adminToken, _audit, cancellationToken).ConfigureAwait(false);
        _log.LogInformation("node {Node} incarnation {Incarnation} started: peers on {Peers}, HTTP on {Http}", id, incarnation,
            _transport?.LocalEndpoint?.ToString() ?? "(alone, no transport)", _http.Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_gossip is not null)
        {
            await LeaveAsync(cancellationToken).ConfigureAwait(false);
        }
        await StopActorsAsync().WaitAsync(_settings.Actors.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
        _log.LogInformation("node {Node} stopped", _settings.Node.Id);
    }

    public async Task<HealthReport> HealthAsync(CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(cancellationToken).ConfigureAwait(false);
        var members = snapshot.View.Members.Values.Select(m => new MemberReport(m.NodeId, m.Incarnation, NodeMetrics.Lower(m.Status),
            snapshot.Phi.TryGetValue(m.NodeId, out var phi) ? Math.Round(Math.Min(phi, 1e9), 3) : 0)).ToList();
        return new HealthReport(_settings.Node.Id, NodeMetrics.Lower(snapshot.Self.Status), snapshot.Self.Incarnation,
            Math.Round(_time.GetElapsedTime(_started).TotalSeconds, 3), members);
    }

    /// <summary>Whether the node can serve (<c>GET /health/ready</c>): store open, consortium loaded and transport
    /// listening (when a consortium is configured), membership actor answering.</summary>
    public async Task<ReadinessReport> ReadinessAsync(CancellationToken cancellationToken)
    {
        var checks = new List<ReadinessCheck>
        {
            Readiness.Store(() => _store is { } store
                ? store.Head is { } head ? $"open, height {head.Height}" : "open, empty"
                : throw new InvalidOperationException("not open")),
        };
        checks.AddRange(Readiness.Peers(_settings.Consortium.File.Length > 0, _consortium?.Members.Count,
            _transport?.LocalEndpoint?.ToString()));
        bool answered;
        try
        {
            await SnapshotAsync(cancellationToken).ConfigureAwait(false);
            answered = true;
        }
        catch (Exception e) when (e is TimeoutException or AskTimeoutException or InvalidOperationException)
        {
            answered = false;
        }
        checks.Add(Readiness.Actors(answered, _settings.Actors.AskTimeout));
        return ReadinessReport.Of(_settings.Node.Id, checks);
    }

    /// <summary>The node's metrics in the Prometheus text format (<see cref="NodeMetrics"/>), read from the membership
    /// actor, the transport and the task manager (which asks each running task peer) at this moment.</summary>
    public async Task<string> MetricsAsync(CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(cancellationToken).ConfigureAwait(false);
        var tasks = await ListTasksAsync(cancellationToken).ConfigureAwait(false);
        using var text = new MemoryStream();
        // One scrape at a time: the registry is updated and written as one consistent picture.
        await _metricsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _metrics.Update(_settings.Node.Id, snapshot, _remote?.Counters ?? new TransportCounters(), _time.GetElapsedTime(_started), tasks.Tasks,
                _settings.Policy.PrivacyBudgetEpsilon);
            await _metrics.WriteAsync(text, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metricsGate.Release();
        }
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    /// <summary>Submits the task spec in <paramref name="hoconText"/> from this node: answered once every participant
    /// has answered (at most the consent timeout).</summary>
    public async Task<SubmitTaskResult> SubmitTaskAsync(string hoconText, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = TaskSpecCodec.Encode(TaskSpecFile.Parse(hoconText, "task spec"));
        }
        catch (Exception e) when (e is TaskSpecFileException or TaskSpecFormatException)
        {
            return SubmitTaskResult.Rejected("", e.Message);
        }
        return await _tasks!.Ask<SubmitTaskResult>(new SubmitTask(bytes), _taskOptions!.SubmitAskTimeout, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TaskList> ListTasksAsync(CancellationToken cancellationToken) =>
        await _tasks!.Ask<TaskList>(ListTasks.Instance, TaskAskTimeout, cancellationToken).ConfigureAwait(false);

    /// <summary>The task, or null when this node has none with that id.</summary>
    public async Task<TaskInfo?> ShowTaskAsync(string taskId, CancellationToken cancellationToken) =>
        await _tasks!.Ask<object>(new ShowTask(taskId), TaskAskTimeout, cancellationToken).ConfigureAwait(false) as TaskInfo;

    /// <summary>Cancels the task on this node (a task that waits for approval is rejected).</summary>
    public Task<TaskDecision> CancelTaskAsync(string taskId, string reason, CancellationToken cancellationToken) =>
        DecideAsync(new CancelTaskRequest(taskId, reason), cancellationToken);

    /// <summary>Approves a task that waits for this node's approval: its consent goes to the submitter.</summary>
    public Task<TaskDecision> ApproveTaskAsync(string taskId, CancellationToken cancellationToken) =>
        DecideAsync(new ApproveTaskRequest(taskId), cancellationToken);

    /// <summary>Rejects a task that waits for this node's approval: the submitter gets the refusal with the reason.</summary>
    public Task<TaskDecision> RejectTaskAsync(string taskId, string reason, CancellationToken cancellationToken) =>
        DecideAsync(new RejectTaskRequest(taskId, reason), cancellationToken);

    private async Task<TaskDecision> DecideAsync(object request, CancellationToken cancellationToken) =>
        await _tasks!.Ask<object>(request, TaskAskTimeout, cancellationToken).ConfigureAwait(false) switch
        {
            TaskInfo info => new TaskDecision(info, null),
            TaskDecisionRefused refused => new TaskDecision(null, refused.Reason),
            _ => TaskDecision.NotFound,
        };

    /// <summary>List, show and cancel wait for the peers' answers (one progress timeout) and a margin.</summary>
    private TimeSpan TaskAskTimeout => _taskOptions!.ProgressTimeout + _settings.Actors.AskTimeout;

    public async ValueTask DisposeAsync()
    {
        await StopActorsAsync().WaitAsync(_settings.Actors.ShutdownTimeout).ConfigureAwait(false);
        if (_blobs is not null)
        {
            await _blobs.DisposeAsync().ConfigureAwait(false);
            _blobs = null;
        }
        if (_transport is not null)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
            _transport = null;
        }
        if (_http is not null)
        {
            await _http.DisposeAsync().ConfigureAwait(false);
            _http = null;
        }
        _engine?.Dispose();
        _engine = null;
        _identity?.Dispose();
        _metricsGate.Dispose();
        _store?.Dispose();
        _store = null;
    }

    /// <summary>The node's own actor system terminates (the same task when StopAsync already did it); in a system the
    /// host owns, the node's top-level actors stop and the host terminates the system after the node.</summary>
    private Task StopActorsAsync()
    {
        if (_system is null)
        {
            return Task.CompletedTask;
        }
        if (_hostSystem is null)
        {
            return _system.Terminate();
        }
        var timeout = _settings.Actors.ShutdownTimeout;
        return Task.WhenAll(new[] { _tasks, _gossip }.OfType<IActorRef>().Select(actor => actor.GracefulStop(timeout)));
    }

    /// <summary>The configuration of the node's actor system: the <c>akka { }</c> section of the node's files
    /// over the bounded mailbox of peer-facing actors, the chain journal (<see cref="ChainJournalConfig"/>) and
    /// <see cref="SwarmActorSystem.DefaultConfig"/>.</summary>
    public static Config ActorSystemConfig(NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ConfigurationFactory.ParseString(settings.Akka.ToHocon())
            .WithFallback(MailboxConfig(settings.Actors.MailboxCapacity))
            .WithFallback(ChainJournalConfig.For(settings.Store, settings.Node.DataDir))
            .WithFallback(SwarmActorSystem.DefaultConfig);
    }

    public static MembershipOptions MembershipOptionsOf(GossipSettings gossip) => new(
        gossip.DownAfter,
        new FailureDetectorOptions(gossip.PhiThreshold, gossip.Interval, gossip.MinStdDeviation, gossip.AcceptableHeartbeatPause),
        gossip.Fanout);

    private Task<MembershipSnapshot> SnapshotAsync(CancellationToken cancellationToken) =>
        _gossip!.Ask<MembershipSnapshot>(GetMembership.Instance, _settings.Actors.AskTimeout, cancellationToken);

    /// <summary>The data directory (created owner-only, narrowed to its owner when others may read it), the admin token
    /// (created on the first start, refused when others may read it) and the audit log, both in the data directory.</summary>
    private (AdminToken Token, AuditLog Audit) OpenCredentials()
    {
        OwnerOnly.PrepareDataDirectory(_settings.Node.DataDir, _log);
        var token = AdminToken.LoadOrCreate(_settings.Node.DataDir);
        return (token, AuditLog.In(_settings.Node.DataDir, _time, _loggers.CreateLogger<AuditLog>()));
    }

    private long OpenStore()
    {
        try
        {
            Directory.CreateDirectory(_settings.Node.DataDir);
            var target = _settings.Store.Kind == StoreKind.Postgres ? _settings.Store.PostgresConnectionString : _settings.Store.SqlitePath;
            _storeFactory = new LedgerStoreFactory(LedgerStoreOptions.Parse(_settings.Store.Kind.ToString(), target),
                _loggers.CreateLogger<LedgerStoreFactory>());
            _store = _storeFactory.Open(NodeChainId);
            return IncarnationStore.Next(_store, _time);
        }
        catch (Exception e) when (e is LedgerException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new NodeStartException($"cannot open the node's store: {e.Message}", e);
        }
    }

    /// <summary>Starts the mutual-TLS transport; returns the other members of the consortium (the gossip's seeds).</summary>
    private IReadOnlyList<string> StartTransport(Consortium consortium, NodeIdentity identity)
    {
        _remote = new RemoteActorTransport(_system!, _loggers.CreateLogger<RemoteActorTransport>(), id => consortium.Find(id) is not null,
            new ActorWireCodecs([TaskWireCodec.Instance, new TaskPeerWireCodec()]));
        var router = new PayloadRouter().Route(Swarm.Node.Networking.Wire.Envelope.PayloadOneofCase.Actor, _remote);
        // Models and updates go by blob transfer (actor messages carry their hashes): fetched into an inbox store,
        // served from the tasks' own directories to each task's participants only.
        _inbox = new BlobStore(Path.Combine(_settings.Node.DataDir, "blob-inbox"));
        _blobs = new BlobTransfer(_inbox, new BlobTransferOptions { ChunkBytes = BlobChunkBytes(_settings.Network.FrameBytesMax) },
            _loggers.CreateLogger<BlobTransfer>(), _time, _served);
        _blobs.RouteOn(router);
        _transport = new PeerTransport(identity, consortium, TransportOptionsOf(_settings.Network), router,
            _loggers.CreateLogger<PeerTransport>(), _time);
        _remote.Attach(_transport);
        _blobs.Attach(_transport);
        try
        {
            _transport.Start(new IPEndPoint(IPAddress.Parse(_settings.Network.ListenHost), _settings.Network.ListenPort));
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or FormatException)
        {
            throw new NodeStartException($"cannot listen for peers on {_settings.Network.ListenHost}:{_settings.Network.ListenPort} (network.listen-host, network.listen-port): {e.Message}", e);
        }
        return consortium.Members.Select(m => m.Id).Where(m => m != _settings.Node.Id).ToList();
    }

    /// <summary>Blob chunks of 1 MiB, or less when the frame limit is smaller (a chunk and its header fit in one
    /// frame).</summary>
    private static int BlobChunkBytes(long frameBytesMax) => (int)Math.Clamp(frameBytesMax - 4096, 4096, 1024 * 1024);

    /// <summary>The mailbox of the actors that peers can reach (gossip, task manager, task peers) holds at most
    /// <paramref name="capacity"/> messages (actors.mailbox-capacity); a message to a full mailbox goes to dead
    /// letters at once, so a flood from a peer never blocks the transport or grows memory without bound.</summary>
    internal static Config MailboxConfig(int capacity) => ConfigurationFactory.ParseString($$"""
        {{PeerMailbox}} {
          mailbox-type = "Akka.Dispatch.BoundedMailbox"
          mailbox-capacity = {{capacity}}
          mailbox-push-timeout-time = 0s
        }
        """);

    /// <summary>The bounded mailbox of actors that peers reach (<see cref="MailboxConfig"/>).</summary>
    public const string PeerMailbox = "swarm.peer-mailbox";

    private static Consortium LoadConsortium(string path, string nodeId)
    {
        Consortium consortium;
        try
        {
            consortium = ConsortiumFile.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConsortiumFormatException)
        {
            throw new NodeStartException($"cannot read consortium.file '{path}': {e.Message}", e);
        }
        if (consortium.Find(nodeId) is null)
        {
            throw new NodeStartException($"node.id '{nodeId}' is not a member of consortium '{consortium.Name}' in '{path}' (add it with: swarm consortium add)");
        }
        return consortium;
    }

    private static TransportOptions TransportOptionsOf(NetworkSettings network) => new()
    {
        FrameBytesMax = (int)Math.Min(network.FrameBytesMax, int.MaxValue),
        PeerQueueMessagesMax = network.PeerOutboundQueueMessagesMax,
        PeerQueueBytesMax = Math.Max(network.FrameBytesMax, 16L * 1024 * 1024),
        ReconnectDelayMin = network.ReconnectBackoffMin,
        ReconnectDelayMax = network.ReconnectBackoffMax,
    };

    /// <summary>Gossips Leaving to every live peer, then waits one gossip interval (at most a second) so that the
    /// messages leave the peer queues before the transport closes.</summary>
    private async Task LeaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            var left = await _gossip!.Ask<LeftCluster>(LeaveCluster.Instance, _settings.Actors.AskTimeout, cancellationToken).ConfigureAwait(false);
            _log.LogInformation("leaving the cluster as {Self}", left.Self);
            var linger = TimeSpan.FromTicks(Math.Min(_settings.Gossip.Interval.Ticks, TimeSpan.FromSeconds(1).Ticks));
            await Task.Delay(linger, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            _log.LogWarning("the gossip actor did not confirm leaving within {Timeout}; stopping anyway", _settings.Actors.AskTimeout);
        }
    }
}
