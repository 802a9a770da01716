using Swarm.Tasks;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Consensus;
using Swarm.Actors.Runtime;
using Swarm.Actors.Training;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;
using Swarm.Learning.Updates;

namespace Swarm.Actors.Tasks;

/// <summary>
/// One site's part of a task: the chain replica (PBFT over the task's members), the chain's application state
/// (<see cref="TaskChain"/>), a Trainer child that runs libtorch off this actor's turn, and the round protocol:
/// train from the last final global model → publish the top-θ update (bytes to every peer, hash to the chain) →
/// when the chain closes the round (k of n, or the deadline) recompute the aggregate from the included bytes and
/// vote its hashes → adopt the model the chain finalizes (a site that computed something else fetches it from a
/// peer that agreed). There is no coordinator: every step follows from the committed chain and local state, and
/// <see cref="Advance"/> re-derives what to do next after anything happens, which is also how a restarted site
/// (rebuilt from its ledger) rejoins.
/// </summary>
public sealed class TaskPeerActor : Actor
{
    private static readonly object TickKey = "tick";
    private static readonly object RetryKey = "retry";
    private static readonly object DeadlineKey = "deadline";

    private readonly TaskPeerContext _context;
    private readonly List<(long Height, IReadOnlyList<ClientRequest> Executed)> _committed = [];
    private readonly Dictionary<int, AggregateRes> _ownAggregates = [];
    private readonly HashSet<(BlobKind, string)> _wanted = [];
    private readonly Queue<int> _scoring = new();
    private readonly Queue<(int Round, float[] Parameters)> _toScore = new();
    private IDisposable? _ledgerOwner;
    private ReplicaHost? _host;
    private TaskChain _chain = null!;
    private ActorRef _trainer = null!;
    private float[]? _global;
    private string _initialHash = "";
    private string? _globalHash;
    private int _trainingRound;
    private int _publishedRound;
    private int _votingRound;
    private int _deadlineRound;
    private long _lastRequestId;
    private bool _personalizing;
    private TaskState _state = TaskState.Starting;
    private string? _detail;
    private PersonalizeRes? _personalized;
    private (long View, ReplicaMode Mode) _lastView = (0, ReplicaMode.Normal);

    public TaskPeerActor(TaskPeerContext context) => _context = context;

    public static Props Props(TaskPeerContext context) => Runtime.Props.Create(() => new TaskPeerActor(context));

    private string TaskId => _context.Spec.Id;

    private string Self_ => _context.Self;

    protected internal override void PreStart()
    {
        var index = _context.Terms.IndexOf(Self_);
        if (index < 0)
        {
            throw new InvalidOperationException($"site '{Self_}' is not a participant of task '{TaskId}'");
        }
        var (ledger, owner) = _context.OpenLedger();
        _ledgerOwner = owner;
        var replica = ReplicaHost.Restore(_context.Genesis, index, _context.ReplicaOptions, ledger);
        _host = new ReplicaHost(replica, _context.Genesis.ChainId, _context.Signer, _context.Verifier, ledger, new Transport(this));
        _host.Committed += c => _committed.Add((c.Block.Block.Height, c.Executed));
        _host.Rejected += r => Context.Log.LogDebug("task {Task} site {Site}: refused input from replica {From}: {Reason}", TaskId, Self_, r.From, r.Reason);
        _chain = TaskChain.Replay(_context.Terms, _context.Verifier, ledger.ReadRange(1, ledger.Height));
        _lastRequestId = _chain.LastRequestOf(Self_);
        var initial = _context.InitialModel();
        _initialHash = ModelDigest.Hex(initial);
        if (_chain.LastFinalized is null)
        {
            Adopt(initial, _initialHash);
        }
        // Unnamed: after a restart the old trainer may still be stopping under its name.
        _trainer = Context.ActorOf(Runtime.Props.Create(() => new TrainerActor(_context.Trainer, _context.ComputeGate)));
        Context.Timers.StartPeriodicTimer(TickKey, Tick.Instance, _context.TickInterval);
        Context.Timers.StartPeriodicTimer(RetryKey, Retry.Instance, _context.RetryInterval);
        _state = _chain.Cancellation is not null ? TaskState.Cancelled : TaskState.Running;
        Context.Log.LogInformation("task {Task} site {Site}: chain {Chain} at height {Height}, round {Round} of {Rounds}",
            TaskId, Self_, _context.Genesis.ChainId, ledger.Height, _chain.CurrentRound, _context.Terms.Rounds);
        if (ledger.Height > 0)
        {
            // A restart: announce it, which also makes this replica see how far the others are and catch up.
            Submit(new SiteRejoined(_chain.CurrentRound, Self_));
        }
        Advance();
    }

    protected internal override void PostStop()
    {
        _ledgerOwner?.Dispose();
        _ledgerOwner = null;
    }

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case Tick:
                _host!.Tick(Context.System.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
                NoteViewChanges();
                Drain();
                break;
            case Retry:
                Advance(retry: true);
                break;
            case PbftPacket packet:
                OnPacket(packet);
                break;
            case UpdateOffer offer:
                OnOffer(offer);
                break;
            case BlobWanted wanted:
                OnWanted(wanted);
                break;
            case BlobFound found:
                OnFound(found);
                break;
            case TrainRes trained:
                OnTrained(trained);
                break;
            case AggregateRes aggregate:
                OnAggregate(aggregate);
                break;
            case EvaluateRes scored when _scoring.TryDequeue(out var scoredRound):
                Submit(new ValidationReport(scoredRound, Self_, scored.Metrics.Auc, scored.Metrics.Accuracy, scored.Count));
                break;
            case PersonalizeRes personalized:
                OnPersonalized(personalized);
                break;
            case TrainingFailed failed:
                OnTrainingFailed(failed);
                break;
            case DeadlineDue due:
                OnDeadline(due);
                break;
            case GetTaskProgress:
                Sender.Tell(Progress(), Self);
                break;
            case CancelTask cancel:
                if (!_chain.IsOver)
                {
                    Submit(new CancellationRequest(Self_, cancel.Reason));
                }
                Sender.Tell(Progress(), Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private TaskProgress Progress() => new(TaskId, _state, Math.Min(_chain.CurrentRound, _context.Terms.Rounds), _context.Terms.Rounds,
        _globalHash, _chain.Height, _detail ?? _chain.Cancellation?.Reason);

    private void OnPacket(PbftPacket packet)
    {
        if (!MessageCodec.TryDecode(packet.Message, out var signed, out var error))
        {
            Context.Log.LogWarning("task {Task} site {Site}: malformed PBFT message from '{From}': {Error}", TaskId, Self_, packet.Site, error);
            return;
        }
        _host!.Deliver(signed!);
        Drain();
    }

    /// <summary>Logs the replica's moves between views (checked on each tick): the first thing to look at when a
    /// chain stops making progress.</summary>
    private void NoteViewChanges()
    {
        var replica = _host!.Replica;
        if ((replica.View, replica.Mode) == _lastView)
        {
            return;
        }
        _lastView = (replica.View, replica.Mode);
        Context.Log.LogInformation("task {Task} site {Site}: replica {Mode} in view {View} (primary {Primary}), height {Height}",
            TaskId, Self_, replica.Mode == ReplicaMode.Normal ? "ordering" : "changing view", replica.View,
            _context.Terms.Sites[replica.Configuration.Primary(replica.View)], replica.LastExecuted);
    }

    /// <summary>Applies what the replica committed (collected while it stepped) to the chain state.</summary>
    private void Drain()
    {
        if (_committed.Count == 0)
        {
            return;
        }
        var batch = _committed.ToList();
        _committed.Clear();
        foreach (var (height, executed) in batch)
        {
            foreach (var evt in _chain.Apply(height, executed))
            {
                OnChainEvent(evt);
            }
        }
        Advance();
    }

    private void OnChainEvent(TaskChainEvent evt)
    {
        switch (evt)
        {
            case RoundClosed closed:
                Context.Log.LogInformation("task {Task} site {Site}: round {Round} closed at height {Height} with {Count} updates ({Sites})",
                    TaskId, Self_, closed.Round, closed.Height, closed.Included.Count, string.Join(", ", closed.Included.Select(u => u.Site)));
                break;
            case RoundFinalized finalized:
                OnFinalized(finalized.Round);
                break;
            case VoteOutvoted outvoted:
                Context.Log.LogWarning("task {Task}: site '{Voter}' voted model {Hash} for round {Round}, which the chain finalized otherwise (outvoted)",
                    TaskId, outvoted.Site, outvoted.ModelHash, outvoted.Round);
                break;
            case TaskCancelled cancelled:
                _state = TaskState.Cancelled;
                _detail = $"cancelled by {cancelled.Site}: {cancelled.Reason}";
                Context.Log.LogInformation("task {Task} site {Site}: {Detail} (height {Height})", TaskId, Self_, _detail, cancelled.Height);
                Context.System.EventStream.Publish(new SiteTaskEnded(TaskId, Self_, TaskState.Cancelled, _detail, null));
                break;
            case SiteRejoinedChain rejoined:
                Context.Log.LogInformation("task {Task} site {Site}: site '{Rejoined}' restarted and rejoined (height {Height})", TaskId, Self_, rejoined.Site, rejoined.Height);
                break;
            case RequestIgnored ignored:
                Context.Log.LogDebug("task {Task} site {Site}: chain ignored a request of '{Client}': {Reason}", TaskId, Self_, ignored.ClientId, ignored.Reason);
                break;
        }
    }

    private void OnFinalized(FinalizedRound round)
    {
        if (round.Outvoted.Count > 0)
        {
            Context.Log.LogWarning("task {Task}: round {Round} finalized model {Hash}; outvoted: {Sites}", TaskId, round.Round,
                round.ModelHash, string.Join(", ", round.Outvoted));
        }
        if (_ownAggregates.Remove(round.Round, out var own) && own.ModelHash == round.ModelHash && own.Parameters is { } parameters)
        {
            _context.Blobs.Put(BlobKind.Model, round.ModelHash, ToBytes(parameters));
            Adopt(parameters, round.ModelHash);
        }
        Context.Log.LogInformation("task {Task} site {Site}: round {Round} final at height {Height}: model {Hash} ({Agreeing} agreeing)",
            TaskId, Self_, round.Round, round.Height, round.ModelHash[..12], round.Agreeing.Count);
        if (_global is not null && _globalHash == round.ModelHash)
        {
            // Scored off the round's critical path: the trainer gets it after the next round's training
            // instruction (Advance sends it), so it runs while the other sites train.
            _toScore.Enqueue((round.Round, _global));
        }
    }

    private void Adopt(float[] parameters, string hash)
    {
        _global = parameters;
        _globalHash = hash;
        if (_chain.LastFinalized is { } last && last.ModelHash == hash)
        {
            Context.System.EventStream.Publish(new SiteRoundFinalized(TaskId, Self_, last, parameters));
        }
    }

    /// <summary>Looks at the committed chain and this site's own state and starts whatever is due: fetching the
    /// current global model, training the open round, fetching included updates and voting a closed round,
    /// personalizing after the last one. Idempotent; <paramref name="retry"/> re-sends requests for missing blobs.</summary>
    private void Advance(bool retry = false)
    {
        Step(retry);
        while (_toScore.TryDequeue(out var score))
        {
            _scoring.Enqueue(score.Round);
            _trainer.Tell(new EvaluateIns(score.Parameters, EvaluationSplit.Validation), Self);
        }
    }

    private void Step(bool retry)
    {
        if (_chain.Cancellation is not null || _state is TaskState.Completed or TaskState.Failed)
        {
            return;
        }
        var expected = _chain.LastFinalized?.ModelHash ?? _initialHash;
        if (_globalHash != expected)
        {
            if (_context.Blobs.Get(BlobKind.Model, expected) is { } stored && TryModel(stored, expected) is { } model)
            {
                Adopt(model, expected);
            }
            else
            {
                Want(BlobKind.Model, expected, _chain.LastFinalized?.Agreeing ?? [], retry);
                return;
            }
        }
        if (_chain.IsComplete)
        {
            Personalize();
            return;
        }
        var round = _chain.CurrentRound;
        if (_chain.CurrentClosed is not { } closed)
        {
            if (_trainingRound != round && _publishedRound != round && !_chain.HasPublished(Self_))
            {
                StartTraining(round);
            }
            return;
        }
        if (_votingRound == round || _chain.HasVoted(Self_))
        {
            return;
        }
        var missing = closed.Included.Where(u => !_context.Blobs.Contains(BlobKind.Update, u.Hash)).ToList();
        foreach (var update in missing)
        {
            Want(BlobKind.Update, update.Hash, [update.Site], retry);
        }
        if (missing.Count > 0)
        {
            return;
        }
        var updates = closed.Included.Select(u => new PublishedUpdate(u.Site, u.SampleCount, _context.Blobs.Get(BlobKind.Update, u.Hash)!, u.Hash)).ToList();
        _votingRound = round;
        Context.Log.LogDebug("task {Task} site {Site}: recomputing round {Round}'s aggregate", TaskId, Self_, round);
        _trainer.Tell(new AggregateIns(round, _global!, updates), Self);
    }

    /// <summary>Asks the likely holders for a blob once, and every site again on a retry.</summary>
    private void Want(BlobKind kind, string hash, IReadOnlyList<string> holders, bool retry)
    {
        if (!_wanted.Add((kind, hash)) && !retry)
        {
            return;
        }
        var targets = retry || holders.Count == 0 ? _context.Terms.Sites : holders;
        foreach (var site in targets.Where(s => s != Self_))
        {
            _context.Peer(site).Tell(new BlobWanted(Self_, kind, hash), Self);
        }
    }

    private void StartTraining(int round)
    {
        _trainingRound = round;
        Context.Log.LogDebug("task {Task} site {Site}: training round {Round}", TaskId, Self_, round);
        var spec = _context.Spec;
        var totalEpochs = spec.Rounds * spec.LocalEpochs;
        _trainer.Tell(new TrainIns(round, _global!, spec.LocalEpochs, (round - 1) * spec.LocalEpochs, totalEpochs,
            spec.PartialShareFraction), Self);
        if (_deadlineRound != round)
        {
            _deadlineRound = round;
            Context.Timers.StartSingleTimer(DeadlineKey, new DeadlineDue(round), spec.RoundDeadline);
        }
    }

    private void OnTrained(TrainRes trained)
    {
        _trainingRound = 0;
        Context.System.EventStream.Publish(new SiteRoundTrained(TaskId, Self_, trained.Round, trained.MeanLoss, trained.Elapsed, trained.TrainingTime));
        if (trained.Round != _chain.CurrentRound || _chain.CurrentClosed is not null || _chain.HasPublished(Self_))
        {
            Context.Log.LogInformation("task {Task} site {Site}: update for round {Round} is late (the round closed without it)", TaskId, Self_, trained.Round);
            Advance();
            return;
        }
        var update = trained.Update;
        Context.Log.LogDebug("task {Task} site {Site}: publishing round {Round}'s update {Hash} (trained in {Seconds:F2} s)", TaskId, Self_,
            trained.Round, update.Hash[..12], trained.Elapsed.TotalSeconds);
        _context.Blobs.Put(BlobKind.Update, update.Hash, update.Bytes);
        _publishedRound = trained.Round;
        foreach (var site in _context.Terms.Sites.Where(s => s != Self_))
        {
            _context.Peer(site).Tell(new UpdateOffer(Self_, trained.Round, update.Bytes), Self);
        }
        Submit(new UpdatePublished(trained.Round, Self_, update.Hash, update.SampleCount));
    }

    private void OnAggregate(AggregateRes aggregate)
    {
        if (aggregate.Round != _chain.CurrentRound || _chain.CurrentClosed is not { } closed)
        {
            return;
        }
        if (aggregate.Error is not null || aggregate.Parameters is null)
        {
            _votingRound = 0;
            Context.Log.LogWarning("task {Task} site {Site}: cannot reproduce round {Round}'s aggregate: {Error}", TaskId, Self_, aggregate.Round, aggregate.Error);
            return;
        }
        _ownAggregates[aggregate.Round] = aggregate;
        Context.Log.LogDebug("task {Task} site {Site}: voting model {Hash} for round {Round}", TaskId, Self_, aggregate.ModelHash[..12], aggregate.Round);
        Submit(new AggregateVote(aggregate.Round, Self_, closed.UpdateSetDigest, aggregate.AggregateHash, aggregate.ModelHash));
    }

    private void Personalize()
    {
        var mode = _context.Spec.Personalization.Mode;
        if (_personalizing)
        {
            return;
        }
        _personalizing = true;
        if (mode == "none" || _context.Spec.Personalization.Epochs <= 0)
        {
            Finish(null);
            return;
        }
        var rate = _context.Spec.Optimizer.LearningRate * 0.1;
        _trainer.Tell(new PersonalizeIns(_global!, _context.Spec.Personalization.Epochs, rate), Self);
    }

    private void OnPersonalized(PersonalizeRes personalized) => Finish(personalized);

    private void Finish(PersonalizeRes? personalized)
    {
        _personalized = personalized;
        _state = TaskState.Completed;
        _detail = personalized is null ? "completed" : $"completed; personalized test AUC {personalized.Personalized.Auc:F4} (global {personalized.Global.Auc:F4})";
        Context.Log.LogInformation("task {Task} site {Site}: {Detail}; final model {Hash}", TaskId, Self_, _detail, _globalHash);
        Context.System.EventStream.Publish(new SiteTaskEnded(TaskId, Self_, TaskState.Completed, _detail, _personalized));
    }

    private void OnTrainingFailed(TrainingFailed failed)
    {
        Context.Log.LogWarning("task {Task} site {Site}: trainer failed in round {Round}: {Reason}", TaskId, Self_, failed.Round, failed.Reason);
        if (_personalizing)
        {
            Finish(null);
            return;
        }
        _trainingRound = 0;
        _votingRound = 0;
    }

    private void OnDeadline(DeadlineDue due)
    {
        if (due.Round == _chain.CurrentRound && _chain.CurrentClosed is null && !_chain.IsOver)
        {
            Context.Log.LogInformation("task {Task} site {Site}: round {Round} deadline passed; asking the chain to close it", TaskId, Self_, due.Round);
            Submit(new CloseRound(due.Round, Self_));
            // The round stays open without any update; ask again after another deadline.
            Context.Timers.StartSingleTimer(DeadlineKey, due, _context.Spec.RoundDeadline);
        }
    }

    private void OnOffer(UpdateOffer offer)
    {
        if (_context.Terms.IndexOf(offer.Site) < 0)
        {
            return;
        }
        _context.Blobs.Put(BlobKind.Update, Convert.ToHexStringLower(SHA256.HashData(offer.Bytes)), offer.Bytes);
        Advance();
    }

    private void OnWanted(BlobWanted wanted)
    {
        if (_context.Terms.IndexOf(wanted.Site) < 0 || _context.Blobs.Get(wanted.Kind, wanted.Hash) is not { } bytes)
        {
            return;
        }
        _context.Peer(wanted.Site).Tell(new BlobFound(Self_, wanted.Kind, wanted.Hash, bytes), Self);
    }

    private void OnFound(BlobFound found)
    {
        var valid = found.Kind switch
        {
            BlobKind.Update => Convert.ToHexStringLower(SHA256.HashData(found.Bytes)) == found.Hash,
            BlobKind.Model => TryModel(found.Bytes, found.Hash) is not null,
            _ => false,
        };
        if (!valid)
        {
            Context.Log.LogWarning("task {Task} site {Site}: '{From}' sent a {Kind} blob that does not match {Hash}", TaskId, Self_, found.Site, found.Kind, found.Hash);
            return;
        }
        _context.Blobs.Put(found.Kind, found.Hash, found.Bytes);
        _wanted.Remove((found.Kind, found.Hash));
        Advance();
    }

    private void Submit(TaskRequest request)
    {
        var payload = request.ToPayload(_context.Genesis.ChainId, bytes => _context.Signer.Sign(bytes));
        _lastRequestId = Math.Max(_lastRequestId + 1, Context.System.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() * 1_000);
        _host!.Submit(new ClientRequest(Self_, _lastRequestId, payload));
        Drain();
    }

    private static float[]? TryModel(byte[] bytes, string hash)
    {
        if (bytes.Length % sizeof(float) != 0)
        {
            return null;
        }
        var parameters = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        return ModelDigest.Hex(parameters) == hash ? parameters : null;
    }

    private static byte[] ToBytes(float[] parameters) => MemoryMarshal.AsBytes(parameters.AsSpan()).ToArray();

    private sealed class Transport(TaskPeerActor peer) : IReplicaTransport
    {
        public void Send(int from, int to, SignedMessage message) =>
            peer._context.Peer(peer._context.Terms.Sites[to]).Tell(new PbftPacket(peer.Self_, MessageCodec.Encode(message)), peer.Self);

        public void Broadcast(int from, SignedMessage message)
        {
            var packet = new PbftPacket(peer.Self_, MessageCodec.Encode(message));
            foreach (var site in peer._context.Terms.Sites.Where(s => s != peer.Self_))
            {
                peer._context.Peer(site).Tell(packet, peer.Self);
            }
        }
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed record DeadlineDue(int Round);
}
