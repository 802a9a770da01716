using Swarm.Tasks;
using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Actors.Consensus;
using Akka.Actor;
using Swarm.Actors.Platform;
using Swarm.Actors.Tasks;
using Swarm.Actors.Training;
using Swarm.Consensus.Blocks;
using Swarm.Node.Persistence;
using Swarm.Node.Tasks;
using Swarm.Node.Simulation.Reporting;

namespace Swarm.Node.Simulation;

/// <summary>
/// A task's swarm with every site in this process: one <see cref="TaskPeerActor"/> per site,
/// each on its own actor system (as if a node each) with its own Ed25519 key, its own SQLite journal holding the task's chain (the chain actor's
/// Akka.Persistence.Sql journal, as on a node), its own blob folder and its own Trainer;
/// the sites reach each other only through actor messages, exactly the messages a cluster sends over TLS. Sites
/// take turns on the cores (one compute gate) so a small machine is not oversubscribed.
/// </summary>
public sealed class InProcessSwarm : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>();
    private readonly ConcurrentDictionary<string, IActorRef> _refs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ActorSystem> _systems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskPeerContext> _contexts = new(StringComparer.Ordinal);
    private readonly ILoggerFactory _loggers;

    /// <param name="spec">The task; its participants are the site ids.</param>
    /// <param name="specBytes">The canonical bytes of the spec that the chain id binds.</param>
    /// <param name="directory">Where each site keeps its journal (<c>chain/&lt;site&gt;.journal.db</c>) and blobs.</param>
    /// <param name="trainer">Builds a site's trainer (site index → trainer).</param>
    /// <param name="initialModel">The initial global parameters.</param>
    /// <param name="loggers">Logs of the sites' actors.</param>
    /// <param name="configure">Adjusts each site's context (tests: timers, Byzantine trainers).</param>
    /// <param name="privacy">Each site's training sample count and budget, by site index: required when the spec
    /// runs local DP (the sites account their ε from them).</param>
    public InProcessSwarm(TaskSpec spec, byte[] specBytes, string directory, Func<int, SiteTrainer> trainer, Func<float[]> initialModel,
        ILoggerFactory? loggers = null, Func<TaskPeerContext, TaskPeerContext>? configure = null, IReadOnlyList<SitePrivacy>? privacy = null)
    {
        if (spec.Privacy.Mode == PrivacyModes.Local && (privacy is null || privacy.Count != spec.Participants.Count))
        {
            throw new ArgumentException(
                $"task '{spec.Id}' runs local DP: give each of its {spec.Participants.Count} sites' sample count and budget", nameof(privacy));
        }
        Spec = spec;
        Directory.CreateDirectory(Path.Combine(directory, "chain"));
        _loggers = loggers ?? NullLoggerFactory.Instance;
        var signers = spec.Participants.Select(_ => Ed25519Signer.Generate()).ToList();
        _owned.AddRange(signers);
        var verifier = new Ed25519SignatureScheme();
        var (genesis, terms) = TaskGenesis.Create(spec, specBytes, [.. signers.Select(s => s.PublicKey)]);
        // No consent runs here, so no site declares its sample count: the in-process swarm keeps the first-update rule
        // (each site's first committed update fixes its FedAvg weight; docs/rounds.md).
        terms = terms with { SamplesDeclaredAtConsent = false };
        Genesis = genesis;
        JournalPaths = spec.Participants.Select(site => Path.Combine(directory, "chain", site + ".journal.db")).ToList();
        var gate = new SemaphoreSlim(1, 1);
        _owned.Add(gate);
        for (var i = 0; i < spec.Participants.Count; i++)
        {
            var (site, index) = (spec.Participants[i], i);
            var blobs = new DirectoryTaskBlobs(Path.Combine(directory, "blobs", site));
            var context = new TaskPeerContext
            {
                Spec = spec,
                Self = site,
                Genesis = genesis,
                Terms = terms,
                Signer = signers[i],
                Verifier = verifier,
                // A site not started yet is like a node not up yet: what is sent to it is lost (PBFT retransmits),
                // rather than failing the sender's broadcast while the sites start one after another.
                Peer = other => _refs.TryGetValue(other, out var peer) ? peer : ActorRefs.Nobody,
                Trainer = () => trainer(index),
                InitialModel = initialModel,
                Blobs = blobs,
                // A site that is down serves nothing, like a node that is down. Blobs are linked between the sites'
                // folders rather than copied (one file system; the fetch still checks the hash).
                Fetcher = new StoreBlobFetcher(ServingStore, blobs),
                ComputeGate = gate,
                Privacy = privacy?[i],
                SecAggEntropy = new SecAggEntropyFile(Path.Combine(directory, "secagg", site)).For,
            };
            var configured = configure?.Invoke(context) ?? context;
            if (!ReferenceEquals(configured.Blobs, blobs) && ReferenceEquals(configured.Fetcher, context.Fetcher))
            {
                // A store wrapped by the caller (a quota) must see every blob put: no links beneath it.
                configured = configured with { Fetcher = new StoreBlobFetcher(ServingStore) };
            }
            _contexts[site] = configured;
        }
        foreach (var site in spec.Participants)
        {
            Start(site);
        }
    }

    /// <summary>The store a site serves blobs from; none while it is down, like a node that is down.</summary>
    private ITaskBlobs? ServingStore(string site) => _systems.ContainsKey(site) ? _contexts[site].Blobs : null;

    /// <summary>Stops a site's whole actor system, as if its node went down (its ledger and blobs stay on disk).</summary>
    public async Task StopSiteAsync(string site)
    {
        if (_systems.TryRemove(site, out var system))
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>Starts a site again on a fresh actor system: it rebuilds the chain state from its ledger, catches up
    /// from its peers and rejoins the task.</summary>
    public void StartSite(string site)
    {
        if (_systems.ContainsKey(site))
        {
            throw new InvalidOperationException($"site '{site}' is running");
        }
        Start(site);
    }

    private void Start(string site)
    {
        // One actor system per site, as one node each: the sites share nothing but messages.
        var system = SwarmActorSystem.Create(site, _loggers, JournalOf(site));
        // One subscriber for the three kinds keeps each site's events in the order the site published them.
        EventStreamSubscriber.Subscribe(system, e => _events.Writer.TryWrite(e), typeof(SiteRoundTrained), typeof(SiteRoundFinalized), typeof(SiteTaskEnded));
        _systems[site] = system;
        _refs[site] = system.ActorOf(TaskPeerActor.Props(_contexts[site]), site);
    }

    public TaskSpec Spec { get; }

    public Genesis Genesis { get; }

    /// <summary>Each running site's task peer.</summary>
    public IReadOnlyDictionary<string, IActorRef> Sites => _refs;

    /// <summary>Each site's chain journal (SQLite), in participant order.</summary>
    public IReadOnlyList<string> JournalPaths { get; }

    /// <summary>Site events in the order the sites published them: <see cref="SiteRoundTrained"/>,
    /// <see cref="SiteRoundFinalized"/>, <see cref="SiteTaskEnded"/>.</summary>
    public ChannelReader<object> Events => _events.Reader;

    /// <summary>The journal configuration of a site's actor system.</summary>
    public Akka.Configuration.Config JournalOf(string site) => ChainJournalConfig.Sqlite(JournalPaths[Spec.Participants.ToList().IndexOf(site)]);

    /// <summary>The chain as one site's journal holds it, one summary per block.</summary>
    public async Task<IReadOnlyList<BlockSummary>> BlocksAsync(int site) =>
        [.. (await ChainJournalConfig.ReadChainAsync(JournalOf(Spec.Participants[site]), Genesis, ReadTimeout).ConfigureAwait(false))
            .Select(b => Summarize(b, Spec.Participants))];

    /// <summary>How long reading a chain from a journal may take.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    public static BlockSummary Summarize(CertifiedBlock certified, IReadOnlyList<string> sites)
    {
        var block = certified.Block;
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int? round = null;
        foreach (var request in block.Requests)
        {
            var decoded = TaskRequest.TryDecode(request.Payload, out _, out _, out _);
            var kind = decoded switch
            {
                UpdatePublished => "update",
                AggregateVote => "vote",
                CloseRound => "deadline",
                CancellationRequest => "cancel",
                ValidationReport => "score",
                SiteRejoined => "rejoin",
                UpdatesMissing => "missing-update report",
                BudgetRefused => "budget refusal",
                _ => "other",
            };
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            if (decoded is not null and not CancellationRequest)
            {
                round = round is { } r ? Math.Max(r, decoded.Round) : decoded.Round;
            }
        }
        var text = new StringBuilder();
        foreach (var (kind, count) in kinds)
        {
            text.Append(text.Length == 0 ? "" : ", ").Append(count).Append(' ').Append(kind).Append(count == 1 ? "" : "s");
        }
        var proposer = block.Proposer >= 0 && block.Proposer < sites.Count ? sites[block.Proposer] : block.Proposer.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new BlockSummary(block.Height, block.Hash.ToHex(), text.Length == 0 ? "empty" : text.ToString(), round, proposer,
            certified.Certificate.Votes.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_systems.Values.Select(system => system.Terminate())).ConfigureAwait(false);
        _systems.Clear();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
        _events.Writer.TryComplete();
    }
}
