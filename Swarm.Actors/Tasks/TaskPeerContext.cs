using Swarm.Actors.Consensus;
using Akka.Actor;
using Swarm.Actors.Training;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;
using Swarm.Tasks;

namespace Swarm.Actors.Tasks;

/// <summary>Everything one site's task peer is made of. Factories are called when the peer starts, so a restart
/// (after a crash) replays the chain from the journal and rebuilds the trainer from scratch. The chain's ledger is
/// the journal of the peer's actor system (Akka.Persistence, configured by the node: see
/// <c>ChainJournalConfig</c>), under the persistence id <see cref="ChainActorOptions.PersistenceIdOf"/>.</summary>
public sealed record TaskPeerContext
{
    public required TaskSpec Spec { get; init; }

    /// <summary>This site's id (its node id in a cluster).</summary>
    public required string Self { get; init; }

    public required Genesis Genesis { get; init; }

    public required TaskChainTerms Terms { get; init; }

    /// <summary>Signs this site's PBFT messages and chain requests.</summary>
    public required ISigner Signer { get; init; }

    public required ISignatureVerifier Verifier { get; init; }

    /// <summary>The task peer of another site (a local actor in a simulation, <c>swarm://node/user/tasks/id</c> in a
    /// cluster).</summary>
    public required Func<string, IActorRef> Peer { get; init; }

    /// <summary>Builds the site's trainer over its own data.</summary>
    public required Func<SiteTrainer> Trainer { get; init; }

    /// <summary>The initial global model: every site builds the same one from the task's seed.</summary>
    public required Func<float[]> InitialModel { get; init; }

    public required ITaskBlobs Blobs { get; init; }

    /// <summary>Whether the site trains the next round from its own aggregate while the votes are ordered
    /// (<see cref="TaskSite.TrainAhead"/>; on by default, off only to measure what it saves).</summary>
    public bool TrainAhead { get; init; } = true;

    /// <summary>False: once the site adopts round r's final model it removes the updates of round r − 1 and the
    /// models of rounds before r − 1 from its blobs (simulations in one process, where every site keeps a copy of
    /// every update: ResNet-18 would pass a gigabyte a round). A node keeps them (true): it serves final models to
    /// importers and operators size the folder (docs/operations.md, "Disk space").</summary>
    public bool KeepOldBlobs { get; init; } = true;

    /// <summary>Brings other sites' blobs into <see cref="Blobs"/>' reach by hash (blob transfer between nodes).</summary>
    public required ITaskBlobFetcher Fetcher { get; init; }

    /// <summary>The site's training sample count and privacy budget; required when the spec runs local DP (the
    /// site accounts its ε from them and refuses a round past its budget).</summary>
    public SitePrivacy? Privacy { get; init; }

    /// <summary>Every participant's sample declaration as the task's start carried them: the site asks the chain to
    /// record them before its first round (<see cref="TaskChainTerms.SamplesDeclaredAtConsent"/>).</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];

    /// <summary>Under secure aggregation: the 32 bytes behind a round's keys, shares and self-mask. The OS CSPRNG,
    /// fresh for every round; only a test would put a seeded source here.</summary>
    public Func<int, byte[]> SecAggEntropy { get; init; } = _ => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    /// <summary>When set, the site's heavy work waits for it (sites of one process take turns on the cores).</summary>
    public SemaphoreSlim? ComputeGate { get; init; }

    /// <summary>The replica's timers, in ticks: a request waits 10 s before the primary is suspected, a view change
    /// 5 s at first, doubling at most 3 times (40 s): a task's chain is small and idle most of the time, and after
    /// a restart of several nodes messages sent before a peer was up are lost, so view changes must not back off
    /// for minutes.</summary>
    public ReplicaOptions ReplicaOptions { get; init; } = new()
    {
        RequestTimeoutTicks = 200, ViewChangeTimeoutTicks = 100, FetchTimeoutTicks = 20, ViewChangeBackoffShiftMax = 3,
    };

    /// <summary>The replica's clock tick.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The layers an import asks for (<see cref="TaskSpec.Transfer"/>): the spec's prefixes, or the names of
    /// the model's feature extractor when it names none. Empty for a task without a transfer section.</summary>
    public IReadOnlyList<string> ImportLayers { get; init; } = [];

    /// <summary>The parameter layout of a source task's model (built from its spec), or why it cannot be built.</summary>
    public Func<TaskSpec, (Swarm.Learning.Training.ParameterLayout? Layout, string? Problem)>? SourceLayout { get; init; }

    /// <summary>Lets node <c>arg1</c> fetch the blobs <c>arg2</c> of this task by blob transfer although it is not a
    /// participant (an importer this site exported to). Null where blobs do not travel by transfer.</summary>
    public Action<string, IReadOnlyList<string>>? ServeExport { get; init; }

    /// <summary>The blob store of another task on this node (an import from a chain this node is a member of reads
    /// the proof and the model there); null when this node has no such task.</summary>
    public Func<string, ITaskBlobs?> LocalTaskBlobs { get; init; } = _ => null;

    /// <summary>The node's task manager of another node (export requests go there).</summary>
    public Func<string, IActorRef>? Manager { get; init; }

    /// <summary>The task peer of task <c>arg2</c> on node <c>arg1</c> (export answers go there).</summary>
    public Func<string, string, IActorRef>? PeerOfTask { get; init; }

    /// <summary>How long an import waits for the nodes' export answers before it reports what it has.</summary>
    public TimeSpan ImportTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How often a site retries what it is waiting for (missing blobs, a stalled round).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);
}
