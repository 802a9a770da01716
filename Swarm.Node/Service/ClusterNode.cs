using Swarm.Tasks;
using System.Net;
using Microsoft.Extensions.Logging;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Swarm.Actors.Platform;
using Swarm.Consensus.Storage;
using Swarm.Node.Blobs;
using Swarm.Node.Clustering;
using Swarm.Node.Configuration;
using Swarm.Node.Identity;
using Swarm.Node.Networking;
using Swarm.Node.Persistence;
using Swarm.Node.Security;
using Swarm.Node.Tasks;

namespace Swarm.Node.Service;

/// <summary>One running node: its store, actor system (in a consortium an Akka.Cluster member over Akka.Remote with
/// pinned mutual TLS, <see cref="ClusterRemoting"/>), blob transfer and HTTP endpoint, started and stopped in order.
/// Start: store (incarnation persisted) → actor system (joins the cluster through the consortium's members) → blob
/// transport → remote inbox and task manager → HTTP. Stop (SIGTERM): leave the cluster (Akka.Cluster's Leaving →
/// Exiting → Removed) → stop the actors → close the blob transport (stop accepting peers) → stop HTTP → close the
/// store.</summary>
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
    private readonly ConsortiumSource? _givenConsortium;
    private ConsortiumSource? _consortium;
    private readonly ConsortiumViews _views = new();
    private IActorRef? _greeter;
    private ActorSystem? _system;
    private readonly TransportCounters _counters = new();
    private BlobTransfer? _blobs;
    private BlobStore? _inboxStore;
    private readonly TaskBlobSource _served = new();
    private PeerTransport? _transport;
    private NodeIdentity? _identity;
    private long _incarnation;
    private volatile bool _leaving;
    private IActorRef? _inbox;
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
    /// <param name="consortium">The consortium source the host's actor system already validates peers with
    /// (<see cref="SslSetup"/>), so that a reload reaches it too; null: the node reads <c>consortium.file</c> itself.</param>
    public ClusterNode(NodeSettings settings, ILoggerFactory loggers, TimeProvider time, Func<TaskLaunch, Props>? taskPeers = null,
        ActorSystem? system = null, ConsortiumSource? consortium = null)
    {
        _givenConsortium = consortium;
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

    /// <summary>Raised when the cluster removed this node while it ran (not when it left on its own): the node is cut
    /// off until its actor system starts again. <c>swarm node</c> then starts it again (see <see cref="Cli.NodeCommand.Run"/>).</summary>
    public event Action<string>? RemovedFromCluster;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var id = _settings.Node.Id;
        // Files are checked before anything is opened, so a misconfigured node leaves nothing behind.
        var consortium = _settings.Consortium.File.Length == 0 ? null : _givenConsortium?.Current ?? LoadConsortium(_settings.Consortium.File, id);
        // One source for the TLS validator of Akka.Remote, the blob transport, the inbox and the membership checks:
        // a reload (SIGHUP, POST /admin/consortium/reload) reaches them all at once.
        var source = consortium is null ? null : _givenConsortium ?? new ConsortiumSource(_settings.Consortium.File, consortium);
        _consortium = source;
        _identity = consortium is null ? null : IdentityLoader.Load(_settings.Tls, _settings.Node, consortium);
        (_adminToken, _audit) = OpenCredentials();
        var incarnation = OpenStore();
        _incarnation = incarnation;
        _system = _hostSystem ?? SwarmActorSystem.Create(consortium is null ? id : ClusterRemoting.SystemName, _loggers,
            ActorSystemConfig(_settings, consortium), source is null ? null : SslSetup(_identity!, source, _loggers));
        NodeLogging.For(_system).Factory = _loggers;
        if (consortium is not null)
        {
            if (!_system.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal))
            {
                throw new NodeStartException("the host's actor system is not an Akka.Cluster member; configure it with ClusterNode.ActorSystemConfig and SslSetup");
            }
            StartTransport(source!, _identity!);
            // A node the others downed (minority side, unreachable too long, or marked down by any member whatever
            // this node's own failure detector says) is quarantined by them and stays out until its actor system
            // starts again: say so as an error, and tell the host, which starts the node again to rejoin.
            Akka.Cluster.Cluster.Get(_system).RegisterOnMemberRemoved(() =>
            {
                if (!_leaving)
                {
                    const string removal = "this node was removed from the cluster while running (marked down by another member or by the "
                        + "split-brain resolver, whatever its own failure detector saw)";
                    _log.LogError("{Removal}; its actor system must start again to rejoin", removal);
                    RemovedFromCluster?.Invoke(removal);
                }
            });
        }
        var peers = _taskPeers;
        if (peers is null && consortium is not null)
        {
            // The task engine: each consented task gets a peer with its own chain in this node's journal.
            _engine = new TaskPeerFactory(id, consortium, _identity!, _settings.Node.DataDir, _settings.Training.Threads,
                () => _system!, new TransferBlobFetcher(_blobs!, _inboxStore!), _served)
            {
                Budget = _settings.Policy.ToPolicy().Budget,
                DiskPerTaskMax = _settings.Tasks.DiskPerTaskMax,
            };
            var dataVectors = new DataVectorPeerFactory(id, consortium, _identity!, _settings.Node.DataDir, _settings.Training.Threads,
                () => _system!, new TransferBlobFetcher(_blobs!, _inboxStore!), _served);
            peers = launch => (launch.Spec.DataVectors is null
                ? _engine.Create(launch.Spec, launch.SpecBytes, launch.Data, launch.Declarations)
                : dataVectors.Create(launch.Spec, launch.SpecBytes, launch.Data)).WithMailbox(PeerMailbox);
        }
        _taskOptions = new TaskManagerOptions(id, _settings.Policy.ToPolicy(), new ConfiguredDataSource(_settings.Data),
            source is null ? member => member == id : member => source.Current.Find(member) is not null, peers)
        {
            Journal = new StoreTaskJournal(_store!),
            ConsentTimeout = _settings.Tasks.ConsentTimeout,
            StartTimeout = _settings.Tasks.StartTimeout,
            TasksMax = _settings.Tasks.TasksMax,
            RunningMax = _settings.Tasks.RunningMax,
            ProgressTimeout = _settings.Actors.AskTimeout,
            OnUnreadableReplicaState = message => UnreadableReplicaState?.Invoke(message),
            Audit = _audit,
            // Consents carry this node's signed sample count; the participants' are checked against their consortium keys.
            Samples = source is null ? null : new SampleSigning(bytes => _identity!.Signer.Sign(bytes),
                member => source.Current.Find(member) is { } found && MemberKeys.Problem(found.SigningKey) is null ? MemberKeys.SigningKey(found) : null,
                new Swarm.Actors.Consensus.Ed25519SignatureScheme()),
            SpecProblem = spec => spec.DataVectors is { } dv && PretrainedModels.Find(_settings.Node.DataDir, dv.Pretrained) is null
                ? $"node '{id}' has no pre-trained model {dv.Pretrained} (in {Path.Combine(_settings.Node.DataDir, PretrainedModels.Folder)} or its tasks' committed models)"
                : null,
        };
        _tasks = _system.ActorOf(TaskManagerActor.Props(_taskOptions).WithMailbox(PeerMailbox), Actors.Tasks.TaskPaths.ManagerName);
        _http = await NodeHttpServer.StartAsync(_settings.Http.Port, this, _adminToken, _audit, cancellationToken).ConfigureAwait(false);
        _log.LogInformation("node {Node} incarnation {Incarnation} started: peers on {Peers}, HTTP on {Http}", id, incarnation,
            _transport is null ? "(alone, no transport)" : $"{_transport.LocalEndpoint} (blobs) and {ClusterRemoting.AddressOf(consortium!.Find(id)!, _settings.Network.ClusterPortOffset)} (cluster)",
            _http.Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_inbox is not null)
        {
            await LeaveAsync(cancellationToken).ConfigureAwait(false);
        }
        await StopActorsAsync().WaitAsync(_settings.Actors.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
        _log.LogInformation("node {Node} stopped", _settings.Node.Id);
    }

    /// <summary>This node and the consortium's members as its Akka.Cluster sees them (<see cref="ClusterMembers"/>);
    /// a node without a consortium is alone and up.</summary>
    public Task<HealthReport> HealthAsync(CancellationToken cancellationToken)
    {
        var system = _system ?? throw new InvalidOperationException("the node is not started");
        var uptime = Math.Round(_time.GetElapsedTime(_started).TotalSeconds, 3);
        if (_consortium is null)
        {
            return Task.FromResult(new HealthReport(_settings.Node.Id, "up", _incarnation, uptime, [new MemberReport(_settings.Node.Id, 0, "up")]));
        }
        var consortium = _consortium.Current;
        var members = ClusterMembers.Of(system, consortium, _settings.Network.ClusterPortOffset, _views, _settings.Node.Id);
        return Task.FromResult(new HealthReport(_settings.Node.Id, ClusterMembers.SelfStatus(system), _incarnation, uptime, members,
            consortium.VersionLabel));
    }

    /// <summary>Re-reads the consortium file (SIGHUP, <c>POST /admin/consortium/reload</c>). A valid, not older file that
    /// still lists this node goes in force for every later handshake of Akka.Remote and of the blob transport, and the
    /// links of members it removed, or whose key or endpoint it changed, close now: their blob connections are cut and
    /// their cluster links downed and dropped (<see cref="ClusterLinks"/>). The other members are told the new
    /// version (<see cref="ConsortiumGreeter"/>). A refused file leaves the consortium in force as it was; the reason is
    /// logged and returned.</summary>
    public ConsortiumReload ReloadConsortium()
    {
        var source = _consortium ?? throw new InvalidOperationException("this node has no consortium.file to reload");
        var reload = source.Reload(_settings.Node.Id);
        if (!reload.Applied)
        {
            _log.LogWarning("consortium reload refused, {Version} stays in force: {Problem}", reload.Before.VersionLabel, reload.Problem);
            return reload;
        }
        _log.LogInformation("consortium reloaded from {File}: {Summary}", source.Path, reload.Summary);
        if (_transport is { } transport)
        {
            transport.Consortium = reload.After;
            foreach (var id in reload.Cut)
            {
                transport.CutLinks(id);
            }
        }
        if (_system is { } system)
        {
            foreach (var closed in ClusterLinks.Close(system, reload.Before, reload.Cut, _settings.Network.ClusterPortOffset))
            {
                _log.LogWarning("consortium reload closed the cluster link of {Member}", closed);
            }
        }
        foreach (var id in reload.Removed)
        {
            _views.Forget(id);
        }
        _greeter?.Tell(GreetMembers.Instance);
        return reload;
    }

    /// <summary>Whether the node can serve (<c>GET /health/ready</c>): store open, consortium loaded and blob transport
    /// listening (when a consortium is configured), task manager answering.</summary>
    public async Task<ReadinessReport> ReadinessAsync(CancellationToken cancellationToken)
    {
        var checks = new List<ReadinessCheck>
        {
            Readiness.Store(() => _store is { } store
                ? store.Head is { } head ? $"open, height {head.Height}" : "open, empty"
                : throw new InvalidOperationException("not open")),
        };
        checks.AddRange(Readiness.Peers(_settings.Consortium.File.Length > 0, _consortium?.Current.Members.Count,
            _transport?.LocalEndpoint?.ToString()));
        bool answered;
        try
        {
            await _tasks!.Ask<ActorIdentity>(new Identify(null), _settings.Actors.AskTimeout, cancellationToken).ConfigureAwait(false);
            answered = true;
        }
        catch (Exception e) when (e is TimeoutException or AskTimeoutException or InvalidOperationException)
        {
            answered = false;
        }
        checks.Add(Readiness.Actors(answered, _settings.Actors.AskTimeout));
        return ReadinessReport.Of(_settings.Node.Id, checks);
    }

    /// <summary>The node's metrics in the Prometheus text format (<see cref="NodeMetrics"/>), read from the cluster,
    /// the actor message counters and the task manager (which asks each running task peer) at this moment.</summary>
    public async Task<string> MetricsAsync(CancellationToken cancellationToken)
    {
        var health = await HealthAsync(cancellationToken).ConfigureAwait(false);
        var tasks = await ListTasksAsync(cancellationToken).ConfigureAwait(false);
        using var text = new MemoryStream();
        // One scrape at a time: the registry is updated and written as one consistent picture.
        await _metricsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _metrics.Update(health, _counters, _time.GetElapsedTime(_started), tasks.Tasks,
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

    /// <summary>Ranks the final models of the other tasks this node knows as sources for <paramref name="taskId"/>, scored
    /// on this node's validation images for it (<see cref="CrossChain.SimilarTasks"/>).</summary>
    public Task<CrossChain.SimilarityAnswer> SimilarTasksAsync(string taskId, CancellationToken cancellationToken) =>
        CrossChain.SimilarTasksQuery.RunAsync(taskId, _tasks!, TaskAskTimeout, _taskOptions!.NodeId, _settings.Node.DataDir, _taskOptions.Data,
            cancellationToken);

    /// <summary>Cancels the task on this node (a task that waits for approval is rejected).</summary>
    public Task<TaskDecision> CancelTaskAsync(string taskId, string reason, CancellationToken cancellationToken) =>
        DecideAsync(new CancelTaskRequest(taskId, reason), cancellationToken);

    /// <summary>Approves a task that waits for this node's approval: its consent goes to the submitter.</summary>
    public Task<TaskDecision> ApproveTaskAsync(string taskId, CancellationToken cancellationToken) =>
        DecideAsync(new ApproveTaskRequest(taskId), cancellationToken);

    /// <summary>Rejects a task that waits for this node's approval: the submitter gets the refusal with the reason.</summary>
    public Task<TaskDecision> RejectTaskAsync(string taskId, string reason, CancellationToken cancellationToken) =>
        DecideAsync(new RejectTaskRequest(taskId, reason), cancellationToken);

    /// <summary>This node's site of task <paramref name="taskId"/> states an export grant (or its withdrawal) on the task's
    /// chain; null when the node has no such task.</summary>
    public async Task<Swarm.Actors.Tasks.ExportGranted?> GrantExportAsync(string taskId, string grantId, bool grant, Swarm.Tasks.CrossChain.ExportScope scope,
        CancellationToken cancellationToken) =>
        await _tasks!.Ask<object>(new Swarm.Actors.Tasks.GrantExportRequest(taskId, grantId, grant, scope), TaskAskTimeout, cancellationToken).ConfigureAwait(false) as Swarm.Actors.Tasks.ExportGranted;

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
        return Task.WhenAll(new[] { _tasks, _inbox, _greeter }.OfType<IActorRef>().Select(actor => actor.GracefulStop(timeout)));
    }

    /// <summary>The configuration of the node's actor system: the <c>akka { }</c> section of the node's files
    /// over, in a consortium, the cluster and TLS remoting (<see cref="ClusterRemoting.Config"/>), then the envelope
    /// serializer, the bounded mailbox of peer-facing actors, the chain journal (<see cref="ChainJournalConfig"/>) and
    /// <see cref="SwarmActorSystem.DefaultConfig"/>.</summary>
    /// <param name="settings">The node's settings.</param>
    /// <param name="consortium">The consortium the node belongs to; null: a node alone, without remoting.</param>
    public static Config ActorSystemConfig(NodeSettings settings, Consortium? consortium = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = ConfigurationFactory.ParseString(settings.Akka.ToHocon());
        if (consortium is not null)
        {
            config = config.WithFallback(ClusterRemoting.Config(settings, consortium));
        }
        return config
            .WithFallback(ConfigurationFactory.ParseString(EnvelopeSerializer.Hocon))
            .WithFallback(MailboxConfig(settings.Actors.MailboxCapacity))
            .WithFallback(ChainJournalConfig.For(settings.Store, settings.Node.DataDir))
            .WithFallback(SwarmActorSystem.DefaultConfig);
    }

    /// <summary>Akka.Remote's TLS setup for this node (<see cref="ClusterRemoting.Ssl(NodeIdentity, Func{Consortium}, Action{string})"/>); refused peers are logged.</summary>
    /// <param name="identity">The node's certificate.</param>
    /// <param name="consortium">The pins, asked at every handshake (a reload decides the next one).</param>
    /// <param name="loggers">Where refusals are logged.</param>
    public static Setup SslSetup(NodeIdentity identity, ConsortiumSource consortium, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(consortium);
        var log = loggers.CreateLogger(typeof(ClusterRemoting));
        return ClusterRemoting.Ssl(identity, () => consortium.Current, refusal => log.LogWarning("refused a cluster peer at the TLS handshake: {Refusal}", refusal));
    }

    /// <summary>The consortium and identity of a node whose settings name a consortium file, loaded and checked as
    /// at start (the host builds the actor system before the node starts, and a consortium's system needs both);
    /// null when the node has no consortium or they cannot be loaded (the node's start then reports why).</summary>
    /// <param name="settings">The node's settings.</param>
    public static (ConsortiumSource Consortium, NodeIdentity Identity)? TryLoadIdentity(NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Consortium.File.Length == 0)
        {
            return null;
        }
        try
        {
            var consortium = LoadConsortium(settings.Consortium.File, settings.Node.Id);
            return (new ConsortiumSource(settings.Consortium.File, consortium), IdentityLoader.Load(settings.Tls, settings.Node, consortium));
        }
        catch (NodeStartException)
        {
            return null;
        }
    }

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

    /// <summary>Starts the blob transport (pinned mutual TLS, models and updates only), the remote inbox (actor
    /// messages from other members over Akka.Remote) and the sender of this node's actor messages.</summary>
    private void StartTransport(ConsortiumSource source, NodeIdentity identity)
    {
        var consortium = source.Current;
        if (ClusterRemoting.PortProblem(consortium, _settings.Network.ClusterPortOffset) is { } portProblem)
        {
            throw new NodeStartException(portProblem);
        }
        var codecs = new ActorWireCodecs([TaskWireCodec.Instance, new TaskPeerWireCodec(), new ExportWireCodec(), ConsortiumWireCodec.Instance]);
        var directory = NodeDirectory.For(_system!);
        directory.SelfNode = identity.NodeId;
        directory.Remote = new ClusterActorSender(_system!, identity, () => source.Current, _settings.Network.ClusterPortOffset, codecs, _counters,
            _loggers.CreateLogger<ClusterActorSender>());
        _inbox = _system!.ActorOf(RemoteInbox.Props(() => source.Current, codecs, _counters, _loggers.CreateLogger<RemoteInbox>()).WithMailbox(PeerMailbox),
            RemoteInbox.Name);
        _greeter = _system.ActorOf(ConsortiumGreeter.Props(() => source.Current, _views, _settings.Network.ClusterPortOffset,
            _loggers.CreateLogger<ConsortiumGreeter>()).WithMailbox(PeerMailbox), ConsortiumGreeter.Name);
        var router = new PayloadRouter();
        // Models and updates go by blob transfer (actor messages carry their hashes): fetched into an inbox store,
        // served from the tasks' own directories to each task's participants only.
        _inboxStore = new BlobStore(Path.Combine(_settings.Node.DataDir, "blob-inbox"));
        _blobs = new BlobTransfer(_inboxStore, new BlobTransferOptions { ChunkBytes = BlobChunkBytes(_settings.Network.FrameBytesMax) },
            _loggers.CreateLogger<BlobTransfer>(), _time, _served);
        _blobs.RouteOn(router);
        _transport = new PeerTransport(identity, consortium, TransportOptionsOf(_settings.Network), router,
            _loggers.CreateLogger<PeerTransport>(), _time);
        _blobs.Attach(_transport);
        try
        {
            _transport.Start(new IPEndPoint(IPAddress.Parse(_settings.Network.ListenHost), _settings.Network.ListenPort));
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or FormatException)
        {
            throw new NodeStartException($"cannot listen for peers on {_settings.Network.ListenHost}:{_settings.Network.ListenPort} (network.listen-host, network.listen-port): {e.Message}", e);
        }
    }

    /// <summary>Blob chunks of 1 MiB, or less when the frame limit is smaller (a chunk and its header fit in one
    /// frame).</summary>
    private static int BlobChunkBytes(long frameBytesMax) => (int)Math.Clamp(frameBytesMax - 4096, 4096, 1024 * 1024);

    /// <summary>The mailbox of the actors that peers can reach (remote inbox, task manager, task peers) holds at most
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

    internal static Consortium LoadConsortium(string path, string nodeId)
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

    /// <summary>Leaves the cluster (Akka.Cluster: Leaving → Exiting → Removed, so the others never take the node as
    /// down), waiting at most one ask timeout.</summary>
    private async Task LeaveAsync(CancellationToken cancellationToken)
    {
        var cluster = Akka.Cluster.Cluster.Get(_system!);
        _leaving = true;
        _log.LogInformation("leaving the cluster as {Self}", cluster.SelfAddress);
        try
        {
            await cluster.LeaveAsync(cancellationToken).WaitAsync(_settings.Actors.AskTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.LogWarning("the cluster did not confirm leaving within {Timeout}; stopping anyway", _settings.Actors.AskTimeout);
        }
    }
}
