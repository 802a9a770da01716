using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Consensus;
using Swarm.Actors.Platform;
using Swarm.Consensus.Blocks;
using Swarm.Learning.DataVectors;
using Swarm.Tasks;
using Swarm.Tasks.DataVectors;
using FetchBlob = Swarm.Tasks.DataVectors.FetchBlob;
using SubmitToChain = Swarm.Tasks.DataVectors.SubmitToChain;

namespace Swarm.Actors.Tasks;

/// <summary>
/// One site's part of a data-vector task on the actor runtime: a thin adapter over <see cref="DataVectorSite"/>
/// (the pure protocol) and <see cref="DataVectorLedger"/> (the task's chain). It hosts the chain replica (a
/// <see cref="ChainActor"/> child, PBFT over the participants, ledger in the node's journal), a
/// <see cref="DataVectorTrainerActor"/> child that fine-tunes and scores off this actor's turn, the blob store (the
/// site's vector and every merged model it adopts, served to the participants by blob transfer), the fetches of the
/// others' vectors by hash, and the publication timers of the site's schedule. Committed blocks become
/// <see cref="ChainApplied"/> inputs; each output is carried out in order. After a restart the chain's journal is
/// replayed through the site (it refetches nothing it holds) and only the publications not yet on the chain are due.
/// </summary>
public sealed class DataVectorPeerActor : SwarmActor
{
    /// <summary>Messages kept while the chain replays its journal; later ones are dropped (peers retry).</summary>
    public const int WaitingMessagesMax = 10_000;

    private static readonly object RetryKey = "retry";

    private readonly DataVectorPeerContext _context;
    private readonly StepLoop<DataVectorSiteInput, DataVectorSiteOutput> _steps;
    private readonly Queue<(object Message, IActorRef Sender)> _waiting = new();
    private readonly HashSet<string> _wanted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fetching = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, RoundTransfer> _transfers = [];
    private readonly CancellationTokenSource _stopping = new();
    private IActorRef _chain = ActorRefs.Nobody;
    private IActorRef _trainer = ActorRefs.Nobody;
    private DataVectorLedger? _ledger;
    private DataVectorSite? _site;
    private long _lastRequestId;
    private string? _lastRefusal;
    private string? _failure;
    private string? _cancelled;
    private double? _lambda;

    public DataVectorPeerActor(DataVectorPeerContext context)
    {
        _context = context;
        _steps = new(input => _site!.Step(input), CarryOut);
    }

    public static Props Props(DataVectorPeerContext context) => Akka.Actor.Props.Create(() => new DataVectorPeerActor(context));

    private string TaskId => _context.Spec.Id;

    private string Site => _context.Self;

    protected override void PreStart()
    {
        var sites = _context.Terms.Sites;
        var index = sites.ToList().IndexOf(Site);
        if (index < 0)
        {
            throw new InvalidOperationException($"site '{Site}' is not a participant of task '{TaskId}'");
        }
        _chain = Context.ActorOf(ChainActor.Props(new ChainActorOptions
        {
            Genesis = _context.Genesis,
            ReplicaIndex = index,
            ReplicaOptions = _context.ReplicaOptions,
            Signer = _context.Signer,
            Verifier = _context.Verifier,
            Clients = new ClientKeys(sites.Zip(_context.PublicKeys, KeyValuePair.Create)),
            Send = (to, message, sender) => _context.Peer(sites[to]).Tell(new PbftPacket(Site, message), sender),
            Broadcast = (message, sender) =>
            {
                var packet = new PbftPacket(Site, message);
                foreach (var site in sites.Where(s => s != Site))
                {
                    _context.Peer(site).Tell(packet, sender);
                }
            },
            TickInterval = _context.TickInterval,
        }));
        Context.Watch(_chain);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case PbftPacket packet:
                _chain.Tell(new ChainPacket(packet.Site, packet.Message));
                return;
            case ChainRecovered recovered:
                OnChainRecovered(recovered);
                return;
            case ChainStateUnreadable unreadable:
                throw unreadable.Error;
            case Terminated terminated when terminated.ActorRef.Equals(_chain):
                throw new InvalidOperationException($"task {TaskId} site {Site}: the chain actor stopped (its journal failed; see the chain's error above)");
        }
        if (_site is null)
        {
            if (_waiting.Count < WaitingMessagesMax)
            {
                _waiting.Enqueue((message, Sender));
            }
            return;
        }
        Handle(message, Sender);
    }

    /// <summary>Builds the site and replays the chain through it, then starts the trainer and the publications
    /// that are not on the chain yet.</summary>
    private void OnChainRecovered(ChainRecovered recovered)
    {
        if (_site is not null)
        {
            throw new InvalidOperationException($"task {TaskId} site {Site}: the chain actor restarted under a running site; the site restarts from the journal");
        }
        _ledger = new DataVectorLedger(_context.Terms, _context.PublicKeys, _context.Verifier);
        _site = new DataVectorSite(Site, _context.Terms, _context.Pretrained, _context.MergedLength);
        var events = _ledger.Replay(recovered.Blocks);
        _lastRequestId = _ledger.LastRequestOf(Site);
        _trainer = Context.ActorOf(DataVectorTrainerActor.Props(_context.Trainer, _context.ComputeGate));
        Timers.StartPeriodicTimer(RetryKey, RetryDue.Instance, _context.RetryInterval);
        foreach (var e in events)
        {
            Applied(e);
        }
        var published = Published;
        var publications = _context.Publications;
        for (var i = published; i < publications.Count; i++)
        {
            Timers.StartSingleTimer(("publish", i), new PublishDue(i), publications[i] < TimeSpan.Zero ? TimeSpan.Zero : publications[i]);
        }
        Log.LogInformation("task {Task} site {Site}: data-vector chain {Chain} at height {Height}; {Published} of {Planned} publications on it",
            TaskId, Site, _context.Genesis.ChainId, recovered.Blocks.Count, published, publications.Count);
        while (_waiting.TryDequeue(out var waiting))
        {
            Handle(waiting.Message, waiting.Sender);
        }
    }

    private void Handle(object message, IActorRef sender)
    {
        switch (message)
        {
            case ChainBlocksCommitted committed:
                foreach (var block in committed.Blocks)
                {
                    foreach (var e in _ledger!.Apply(block.Block.Block.Height, block.Executed))
                    {
                        Applied(e);
                    }
                }
                break;
            case PublishDue due when _cancelled is null:
                _trainer.Tell(new FineTuneIns(due.Index), Self);
                break;
            case FineTuneRes tuned when _cancelled is null:
                Log.LogInformation("task {Task} site {Site}: fine-tuned for publication {Index} on {Samples} samples in {Seconds:F1} s",
                    TaskId, Site, tuned.Publication + 1, tuned.Samples, tuned.Elapsed.TotalSeconds);
                Step(new FineTuned(tuned.Parameters, tuned.Samples));
                break;
            case ScoreLambdasRes scored when _cancelled is null:
                Step(new LambdasScored(scored.Merge, scored.Losses));
                break;
            case DataVectorTrainingFailed failed:
                _failure = $"{failed.Work} failed: {failed.Reason}";
                Log.LogWarning("task {Task} site {Site}: {Failure}", TaskId, Site, _failure);
                break;
            case Fetched fetched:
                OnFetched(fetched);
                break;
            case RetryDue:
                foreach (var hash in _wanted.ToList())
                {
                    StartFetch(hash);
                }
                break;
            case GetTaskProgress:
                sender.Tell(Progress(), Self);
                break;
            case CancelTask cancel:
                // Local to this node: the data-vector chain has no cancellation step (docs/data-vectors.md).
                _cancelled ??= cancel.Reason;
                Timers.CancelAll();
                sender.Tell(Progress(), Self);
                break;
            case PublishDue or FineTuneRes or ScoreLambdasRes:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Applied(DataVectorEvent e)
    {
        switch (e)
        {
            case DataVectorRejected rejected:
                _lastRefusal = rejected.Reason;
                Log.LogWarning("task {Task} site {Site}: the chain refused a {Request}: {Reason}", TaskId, Site,
                    rejected.Request.GetType().Name, rejected.Reason);
                break;
            case DataVectorRequestIgnored ignored:
                _lastRefusal = ignored.Reason;
                Log.LogWarning("task {Task} site {Site}: the chain ignored a request of '{Client}': {Reason}", TaskId, Site, ignored.ClientId, ignored.Reason);
                break;
            case LambdaAgreed agreed:
                _lambda = agreed.Lambda;
                break;
            case MergeCommitted committed:
                Log.LogInformation("task {Task} site {Site}: merge {Merge} of {Count} vectors committed: {Hash}", TaskId, Site,
                    committed.Merge, committed.Included.Count, committed.MergedHash);
                break;
        }
        Step(new ChainApplied(e));
    }

    private void Step(DataVectorSiteInput input) => _steps.Step(input);

    private void CarryOut(DataVectorSiteOutput output)
    {
        switch (output)
        {
            case OfferBlob offer:
                _context.Blobs.Put(BlobKind.Update, offer.Hash, ToBytes(offer.Delta));
                break;
            case SubmitToChain submit when _cancelled is null:
                var payload = DataVectorLedger.Seal(submit.Request, _context.Genesis.ChainId, bytes => _context.Signer.Sign(bytes));
                _lastRequestId = Math.Max(_lastRequestId + 1, Now.ToUnixTimeMilliseconds() * 1_000);
                _chain.Tell(new ChainSubmit(new ClientRequest(Site, _lastRequestId, payload)
                    .SignedWith(_context.Genesis.ChainId, bytes => _context.Signer.Sign(bytes))));
                if (submit.Request is VectorPublished published)
                {
                    Log.LogInformation("task {Task} site {Site}: publishing vector {Hash} (sequence {Sequence}, {Samples} samples)",
                        TaskId, Site, published.VectorHash, published.Sequence, published.SampleCount);
                }
                break;
            case SubmitToChain:
                break;
            case FetchBlob fetch:
                if (_context.Blobs.Get(BlobKind.Update, fetch.Hash) is { } own && FromBytes(own) is { } delta)
                {
                    Step(new VectorBlobArrived(fetch.Hash, delta));
                    break;
                }
                _wanted.Add(fetch.Hash);
                StartFetch(fetch.Hash);
                break;
            case ScoreLambdas score:
                _trainer.Tell(new ScoreLambdasIns(score.Merge, score.Candidates), Self);
                break;
            case MergeComputed computed:
                if (computed.Excluded.Count > 0)
                {
                    Log.LogWarning("task {Task} site {Site}: merge {Merge} leaves out the unusable vectors of {Sites}", TaskId, Site,
                        computed.Merge, string.Join(", ", computed.Excluded));
                }
                break;
            case MergedModelAdopted adopted:
                _context.Blobs.Put(BlobKind.Model, adopted.MergedHash, ToBytes(adopted.Parameters));
                Publish(new SiteMergeAdopted(TaskId, Site, adopted.Merge, adopted.MergedHash, adopted.Parameters));
                Log.LogInformation("task {Task} site {Site}: adopted merged model {Hash} of merge {Merge}", TaskId, Site, adopted.MergedHash, adopted.Merge);
                break;
            default:
                throw new InvalidOperationException($"no adapter for {output.GetType().Name}");
        }
    }

    /// <summary>Fetches a vector from the site that published it under that hash on the chain, else from any other
    /// participant; the retry timer asks again while it is missing.</summary>
    private void StartFetch(string hash)
    {
        if (!_fetching.Add(hash))
        {
            return;
        }
        var chain = _ledger!.Chain;
        var from = chain.Counting.Concat(chain.Open?.Included ?? []).FirstOrDefault(v => v.VectorHash == hash)?.Site
            ?? _context.Terms.Sites.First(s => s != Site);
        var merge = chain.Committed.Count + 1;
        _context.Fetcher.FetchAsync(TaskId, from, BlobKind.Update, hash, _stopping.Token)
            .PipeTo(Self, success: result => new Fetched(result, merge),
                failure: e => new Fetched(BlobFetch.Failed(from, BlobKind.Update, hash, TimeSpan.Zero, e.Message), merge));
    }

    private void OnFetched(Fetched fetched)
    {
        var result = fetched.Result;
        _fetching.Remove(result.Hash);
        if (result.Bytes is not { } bytes || FromBytes(bytes) is not { } delta)
        {
            Log.LogDebug("task {Task} site {Site}: fetching vector {Hash} from '{From}' failed: {Error}", TaskId, Site, result.Hash,
                result.From, result.Error ?? "not a float32 vector");
            return;
        }
        if (!_wanted.Remove(result.Hash))
        {
            return;
        }
        _context.Blobs.Put(BlobKind.Update, result.Hash, bytes);
        var seen = _transfers.GetValueOrDefault(fetched.Merge) ?? new RoundTransfer(fetched.Merge, 0, 0, 0);
        _transfers[fetched.Merge] = seen with
        {
            Blobs = seen.Blobs + 1, Bytes = seen.Bytes + bytes.Length, Seconds = seen.Seconds + result.Elapsed.TotalSeconds,
        };
        Step(new VectorBlobArrived(result.Hash, delta));
    }

    /// <summary>Round: the merge this site holds; Rounds: the merges committed on the chain; the detail says what
    /// counts, what is open, what this site has published and the last thing the chain refused.</summary>
    private TaskProgress Progress()
    {
        var chain = _ledger!.Chain;
        var adopted = _site!.Adopted;
        var state = _cancelled is not null ? TaskState.Cancelled : _failure is not null ? TaskState.Failed : TaskState.Running;
        var counting = string.Join(", ", chain.Counting.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Site} #{v.Sequence}")));
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"data vectors ({_context.Terms.Rule.Name()}): {chain.Counting.Count} counting [{counting}]; ")
            + (chain.Open is { } open ? $"merge {open.Merge} open; " : "no merge open; ")
            + (_lambda is { } l ? string.Create(CultureInfo.InvariantCulture, $"λ {l}; ") : "")
            + $"this site published {Published} of {_context.Publications.Count}"
            + (_lastRefusal is { } r ? $"; last refused: {r}" : "")
            + (_failure is { } f ? $"; {f}" : "")
            + (_cancelled is { } c ? $"; cancelled on this node: {c}" : "");
        return new TaskProgress(TaskId, state, adopted?.Merge ?? 0, chain.Committed.Count, adopted?.Hash, _ledger.Height, detail,
            [.. _transfers.Values]);
    }

    /// <summary>How many vectors of this site the chain has accepted: its counting vector's sequence (each
    /// publication takes the next one).</summary>
    private int Published => (int)(_ledger!.Chain.Counting.FirstOrDefault(v => v.Site == Site)?.Sequence ?? 0);

    private static byte[] ToBytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static float[]? FromBytes(byte[] bytes) =>
        bytes.Length % sizeof(float) != 0 ? null : MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    private sealed record RetryDue
    {
        public static readonly RetryDue Instance = new();
    }

    private sealed record PublishDue(int Index);

    private sealed record Fetched(BlobFetch Result, int Merge);
}
