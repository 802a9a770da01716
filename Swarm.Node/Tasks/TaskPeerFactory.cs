using Swarm.Learning.Updates;
using Swarm.Actors.Consensus;
using Akka.Actor;
using Swarm.Actors.Platform;
using Swarm.Actors.Tasks;
using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Training;
using Swarm.Node.Identity;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>
/// Builds the task engine of a cluster node: for a task this node consented to, a <see cref="TaskPeerActor"/> whose
/// chain members are the participants with the signing keys listed in the consortium, whose signer is this node's
/// Ed25519 key, whose ledger is the journal of the node's actor system (one chain per task, see ChainJournalConfig),
/// whose blobs live under the node's data directory (served to the task's participants only, fetched from them by
/// blob transfer) and whose peers are <c>swarm://&lt;participant&gt;/user/tasks/&lt;task-id&gt;</c> over the
/// mutual-TLS transport.
/// </summary>
public sealed class TaskPeerFactory : IDisposable
{
    private readonly string _nodeId;
    private readonly Consortium _consortium;
    private readonly Ed25519Signer _signer;
    private readonly Ed25519SignatureScheme _verifier = new();
    private readonly string _dataDirectory;
    private readonly int _threads;
    private readonly Func<ActorSystem> _system;
    private readonly SemaphoreSlim _computeGate = new(1, 1);
    private readonly ITaskBlobFetcher _fetcher;
    private readonly TaskBlobSource _served;

    /// <param name="nodeId">This node's id: its site id in every task.</param>
    /// <param name="consortium">The members and their pinned keys.</param>
    /// <param name="identity">This node's identity; its Ed25519 key signs the node's chain messages (the identity
    /// keeps owning it).</param>
    /// <param name="dataDirectory">The node's data directory; task blobs go under <c>tasks/&lt;task-id&gt;</c>.</param>
    /// <param name="threads">libtorch threads for training (0 = libtorch's default).</param>
    /// <param name="system">The node's actor system (resolves the peers' remote refs).</param>
    /// <param name="fetcher">Fetches the peers' blobs (the node's blob transfer).</param>
    /// <param name="served">The blobs the node's blob transfer serves; each task's are registered for its participants.</param>
    public TaskPeerFactory(string nodeId, Consortium consortium, NodeIdentity identity,
        string dataDirectory, int threads, Func<ActorSystem> system, ITaskBlobFetcher fetcher, TaskBlobSource served)
    {
        _fetcher = fetcher;
        _served = served;
        _nodeId = nodeId;
        _consortium = consortium;
        ArgumentNullException.ThrowIfNull(identity);
        _signer = identity.Signer;
        _dataDirectory = dataDirectory;
        _threads = threads;
        _system = system;
    }

    /// <summary>This node's privacy budget (its policy's); a local-DP task's site stops before a round past it.</summary>
    public PrivacyBudget? Budget { get; init; }

    /// <summary>Most bytes of blobs one task keeps under the data directory (<c>tasks.disk-per-task-max</c>).</summary>
    public long DiskPerTaskMax { get; init; } = long.MaxValue;

    /// <summary>The peer of <paramref name="spec"/> on this node, training on <paramref name="data"/>.</summary>
    /// <param name="spec">The task.</param>
    /// <param name="specBytes">Its canonical bytes (the genesis binds their digest).</param>
    /// <param name="data">This node's data for the task.</param>
    /// <param name="declarations">Every participant's sample declaration as the task's start carried them. None: a
    /// task this node started before declarations existed, whose chain keeps the first-update rule (every
    /// participant's journal says the same of such a task).</param>
    /// <exception cref="InvalidOperationException">A participant is not in the consortium or has no public key.</exception>
    public Props Create(TaskSpec spec, byte[] specBytes, SiteData data, IReadOnlyList<SampleDeclaration>? declarations = null)
    {
        var keys = spec.Participants.Select(p => MemberKeys.SigningKey(_consortium.Find(p)
            ?? throw new InvalidOperationException($"participant '{p}' of task '{spec.Id}' is not a member of consortium '{_consortium.Name}'"))).ToList();
        var (genesis, terms) = TaskGenesis.Create(spec, specBytes, keys);
        if (declarations is not { Count: > 0 })
        {
            terms = terms with { SamplesDeclaredAtConsent = false };
        }
        var index = terms.IndexOf(_nodeId);
        var settings = SettingsOf(spec);
        var train = data.Train;
        var blobs = new DirectoryTaskBlobs(Path.Combine(_dataDirectory, "tasks", spec.Id));
        _served.Register(spec.Id, spec.Participants, blobs);
        var context = new TaskPeerContext
        {
            Spec = spec,
            Self = _nodeId,
            Genesis = genesis,
            Terms = terms,
            Signer = _signer,
            Verifier = _verifier,
            Peer = site => NodeDirectory.For(_system()).Resolve(TaskPaths.Peer(site, spec.Id)),
            Trainer = () => new SiteTrainer(_nodeId, index,
                TorchTrainer.Create(spec.Model, train.Channels, train.Classes, train.Height, (ulong)spec.Seed), data, settings),
            InitialModel = () =>
            {
                using var model = TorchTrainer.Create(spec.Model, train.Channels, train.Classes, train.Height, (ulong)spec.Seed);
                var parameters = new float[model.Layout.TotalLength];
                model.GetParameters(parameters);
                return parameters;
            },
            Blobs = new QuotaTaskBlobs(blobs, Path.Combine(_dataDirectory, "tasks", spec.Id), spec.Id, DiskPerTaskMax),
            Fetcher = _fetcher,
            ComputeGate = _computeGate,
            Privacy = new SitePrivacy(train.Count, Budget),
            Declarations = declarations ?? [],
            SecAggEntropy = new SecAggEntropyFile(Path.Combine(_dataDirectory, "tasks", spec.Id, "secagg")).For,
            ImportLayers = spec.Transfer is null ? [] : TransferSetup.ImportLayers(spec, train),
            SourceLayout = source => TransferSetup.SourceLayout(source, train),
            ServeExport = (peer, hashes) => _served.AllowExport(peer, blobs, hashes),
            LocalTaskBlobs = id => TaskSpecValidator.IsValidId(id) && Directory.Exists(Path.Combine(_dataDirectory, "tasks", id))
                ? new DirectoryTaskBlobs(Path.Combine(_dataDirectory, "tasks", id)) : null,
            Manager = node => NodeDirectory.For(_system()).Resolve(TaskPaths.Manager(node)),
            PeerOfTask = (node, task) => NodeDirectory.For(_system()).Resolve(TaskPaths.Peer(node, task)),
        };
        return TaskPeerActor.Props(context);
    }

    /// <summary>The local optimizer of <paramref name="spec"/> (momentum only for SGD) with the task's seed, on
    /// <paramref name="threads"/> libtorch threads: round tasks and data-vector tasks train alike.</summary>
    /// <param name="spec">The task.</param>
    /// <param name="threads">libtorch threads of this node's trainer.</param>
    public static TrainOptions TrainOptionsOf(TaskSpec spec, int threads)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var optimizer = spec.Optimizer;
        return new TrainOptions
        {
            Optimizer = optimizer.Name == "sgd" ? OptimizerKind.Sgd : OptimizerKind.Adam,
            LearningRate = optimizer.LearningRate,
            Momentum = optimizer.Name == "sgd" ? optimizer.Momentum : 0,
            WeightDecay = optimizer.WeightDecay,
            BatchSize = optimizer.BatchSize,
            Seed = (ulong)spec.Seed,
            Threads = threads,
        };
    }

    /// <summary>How this site trains under <paramref name="spec"/>.</summary>
    public SiteSettings SettingsOf(TaskSpec spec)
    {
        var options = TrainOptionsOf(spec, _threads);
        var strategy = AggregationStrategies.Create(spec.Aggregation.Strategy, spec.Aggregation.Byzantine, spec.Aggregation.TrimFraction);
        return new SiteSettings(options, LearningRateSchedule.MultiStep, strategy)
        {
            LocalLayers = spec.Personalization.Mode == "fedper" ? spec.Personalization.LocalLayers ?? [] : [],
            Privacy = spec.Privacy,
            NoiseShares = DopamineTerms.NoiseSharesOf(spec),
            Sharing = SharingOf(spec),
        };
    }

    /// <summary>The sharing rule of <paramref name="spec"/>: θ, error feedback and the top-θ scope.</summary>
    public static SharingOptions SharingOf(TaskSpec spec) => new(spec.PartialShareFraction, spec.Sharing.ErrorFeedback,
        spec.Sharing.Scope == SharingSpec.LayerScope ? TopKScope.Layer : TopKScope.Global);

    public void Dispose()
    {
        _computeGate.Dispose();
    }
}
