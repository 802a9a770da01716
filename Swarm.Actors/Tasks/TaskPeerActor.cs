using Microsoft.Extensions.Logging;
using Swarm.Actors.Consensus;
using Akka.Actor;
using Swarm.Actors.Platform;
using Swarm.Actors.Training;
using Swarm.Consensus.Blocks;
using Swarm.Learning.Updates;
using Swarm.Tasks;

namespace Swarm.Actors.Tasks;

/// <summary>
/// One site's part of a task on the actor runtime: a thin adapter over <see cref="TaskSite"/>, the round protocol
/// as a pure state machine. It hosts what the state machine must not do itself: the chain replica (a
/// <see cref="ChainActor"/> child, PBFT over the task's members with its ledger in the node's journal, whose committed
/// blocks become <see cref="ChainCommitted"/>), a Trainer child that runs libtorch off this actor's turn, the blob
/// store, the peers' messages and the timers. Until the chain has replayed its journal (<see cref="ChainRecovered"/>)
/// the site does not exist yet and messages for it wait (at most <see cref="WaitingMessagesMax"/>; the peer's mailbox
/// is bounded, which Akka's stash does not allow). Each message becomes one input; each output is
/// carried out in order, and outputs that answer at once (a blob found in the own store) are fed back as the next
/// inputs. A chain that stops or restarts takes this peer with it: the site is rebuilt from the journal.
/// </summary>
public sealed partial class TaskPeerActor : SwarmActor
{
    /// <summary>Messages kept while the chain replays its journal; later ones are dropped (peers retry).</summary>
    public const int WaitingMessagesMax = 10_000;

    private static readonly object RetryKey = "retry";
    private static readonly object DeadlineKey = "deadline";

    private readonly TaskPeerContext _context;
    private readonly StepLoop<SiteInput, SiteOutput> _steps;
    private readonly Queue<(object Message, IActorRef Sender)> _waiting = new();
    private readonly HashSet<(BlobKind Kind, string Hash)> _fetching = [];
    private readonly SortedDictionary<int, RoundTransfer> _transfers = [];
    private readonly CancellationTokenSource _stopping = new();
    private IActorRef _chain = ActorRefs.Nobody;
    private TaskSite? _site;

    /// <summary>The timestamp of the latest block this replica committed (or recovered), shown as the chain's last block time.</summary>
    private DateTimeOffset? _lastBlockAt;

    private IActorRef _trainer = null!;
    private long _lastRequestId;

    public TaskPeerActor(TaskPeerContext context)
    {
        _context = context;
        _steps = new(input => _site!.Step(input), CarryOut);
    }

    public static Props Props(TaskPeerContext context) => Akka.Actor.Props.Create(() => new TaskPeerActor(context));

    private string TaskId => _context.Spec.Id;

    private string Self_ => _context.Self;

    protected override void PreStart()
    {
        var index = _context.Terms.IndexOf(Self_);
        if (index < 0)
        {
            throw new InvalidOperationException($"site '{Self_}' is not a participant of task '{TaskId}'");
        }
        // Unnamed, like the trainer: after a restart the old one may still be stopping under its name.
        _chain = Context.ActorOf(ChainActor.Props(new ChainActorOptions
        {
            Genesis = _context.Genesis,
            ReplicaIndex = index,
            ReplicaOptions = _context.ReplicaOptions,
            Signer = _context.Signer,
            Verifier = _context.Verifier,
            Clients = new ClientKeys(_context.Terms.Sites.Zip(_context.Terms.PublicKeys, KeyValuePair.Create)),
            Send = (to, message, sender) => _context.Peer(_context.Terms.Sites[to]).Tell(new PbftPacket(Self_, message), sender),
            Broadcast = (message, sender) =>
            {
                var packet = new PbftPacket(Self_, message);
                foreach (var site in _context.Terms.Sites.Where(s => s != Self_))
                {
                    _context.Peer(site).Tell(packet, sender);
                }
            },
            TickInterval = _context.TickInterval,
        }));
        Context.Watch(_chain);
    }

    /// <summary>Builds the site from the chain the journal holds, then lets in what waited for it.</summary>
    private void OnChainRecovered(ChainRecovered recovered)
    {
        if (_site is not null)
        {
            throw new InvalidOperationException($"task {TaskId} site {Self_}: the chain actor restarted under a running site; the site restarts from the journal");
        }
        var chain = TaskChain.Replay(_context.Terms, _context.Verifier, recovered.Blocks);
        if (recovered.Blocks.Count > 0)
        {
            _lastBlockAt = DateTimeOffset.FromUnixTimeMilliseconds(recovered.Blocks[^1].Block.TimestampMs);
        }
        _ledger.AddRange(recovered.Blocks);
        _lastRequestId = chain.LastRequestOf(Self_);
        _site = new TaskSite(_context.Spec, Self_, chain, _context.InitialModel(), _context.Privacy, _context.SecAggEntropy)
        {
            Declarations = _context.Declarations,
            TrainAhead = _context.TrainAhead,
        };
        // Unnamed: after a restart the old trainer may still be stopping under its name.
        _trainer = Context.ActorOf(TrainerActor.Props(_context.Trainer, _context.ComputeGate));
        Timers.StartPeriodicTimer(RetryKey, Retry.Instance, _context.RetryInterval);
        Log.LogInformation("task {Task} site {Site}: chain {Chain} at height {Height}, round {Round} of {Rounds}",
            TaskId, Self_, _context.Genesis.ChainId, recovered.Blocks.Count, chain.CurrentRound, _context.Terms.Rounds);
        Step(new SiteStarted(Restarted: recovered.Blocks.Count > 0));
        while (_waiting.TryDequeue(out var waiting))
        {
            Handle(waiting.Message, waiting.Sender);
        }
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
                // Reaches the task manager's supervisor, which stops the node.
                throw unreadable.Error;
            case Terminated terminated when terminated.ActorRef.Equals(_chain):
                throw new InvalidOperationException($"task {TaskId} site {Self_}: the chain actor stopped (its journal failed; see the chain's error above)");
        }
        if (_site is null)
        {
            if (_waiting.Count < WaitingMessagesMax)
            {
                _waiting.Enqueue((message, Sender));
            }
            else
            {
                Log.LogWarning("task {Task} site {Site}: {Type} dropped while the chain recovers ({Max} messages wait already)",
                    TaskId, Self_, message.GetType().Name, WaitingMessagesMax);
            }
            return;
        }
        Handle(message, Sender);
    }

    /// <summary>A message for the site (which exists), from <paramref name="sender"/>.</summary>
    private void Handle(object message, IActorRef sender)
    {
        switch (message)
        {
            case ChainBlocksCommitted committed:
                if (committed.Blocks.Count > 0)
                {
                    _lastBlockAt = DateTimeOffset.FromUnixTimeMilliseconds(committed.Blocks[^1].Block.Block.TimestampMs);
                }
                _ledger.AddRange(committed.Blocks.Select(c => c.Block));
                Step(new ChainCommitted([.. committed.Blocks.Select(c => new CommittedBlock(c.Block.Block.Height, c.Executed))]));
                break;
            case Retry:
                Step(RetryDue.Instance);
                break;
            case UpdateAnnounced announced:
                OnAnnounced(announced);
                break;
            case Fetched fetched:
                OnFetched(fetched);
                break;
            case TrainRes trained:
                Step(new UpdateTrained(trained.Round, trained.Update, trained.MeanLoss, trained.Elapsed, trained.TrainingTime) { DpSteps = trained.DpSteps });
                break;
            case AggregateRes aggregate:
                Step(new AggregateRecomputed(aggregate.Round, aggregate.AggregateHash, aggregate.ModelHash, aggregate.Parameters, aggregate.Error)
                {
                    Refused = aggregate.Refused,
                });
                break;
            case AggregateRecomputed secure:
                Step(secure);
                break;
            case EvaluateRes scored:
                Step(new ModelScored(scored.Round, scored.Split == EvaluationSplit.Validation, scored.Metrics, scored.Count));
                break;
            case PersonalizeRes personalized:
                Step(new PersonalizationDone(personalized.Global, personalized.Personalized, personalized.BestEpoch));
                break;
            case TrainingFailed failed:
                Step(new TrainerFailed(failed.Work, failed.Round, failed.Reason));
                break;
            case DeadlineDue due:
                Step(new DeadlinePassed(due.Round));
                break;
            case GetTaskProgress:
                sender.Tell(Progress(), Self);
                break;
            case CancelTask cancel:
                Step(new CancelRequested(cancel.Reason));
                sender.Tell(Progress(), Self);
                break;
            default:
                if (!HandleCrossChain(message, sender))
                {
                    Unhandled(message);
                }
                break;
        }
    }

    private void Step(SiteInput input) => _steps.Step(input);

    private void CarryOut(SiteOutput output)
    {
        switch (output)
        {
            case TrainRound train:
                _trainer.Tell(new TrainIns(train.Round, train.Global, train.Epochs, train.EpochOffset, train.TotalEpochs, train.Theta), Self);
                break;
            case RecomputeAggregate aggregate:
                // Read into reused arrays, given back once the trainer has recomputed the round from them.
                var pool = VectorPool<byte>.Shared;
                var updates = aggregate.Included
                    .Select(u => new PublishedUpdate(u.Site, u.SampleCount, _context.Blobs.Rent(BlobKind.Update, u.Hash, pool)!, u.Hash)).ToList();
                _trainer.Tell(new AggregateIns(aggregate.Round, aggregate.Global, updates) { Done = () => updates.ForEach(u => pool.Return(u.Bytes)) }, Self);
                break;
            case RecomputeSecureAggregate secure:
                // Unmasking regenerates one AES-CTR stream per survivor and per dropped pair: off the actor's turn.
                var blobs = secure.Included.ToDictionary(u => u.Hash, u => _context.Blobs.Get(BlobKind.Update, u.Hash)!);
                var terms = _context.Terms;
                Task.Run(() => secure.Run(u => blobs[u.Hash], terms.IndexOf)).PipeTo(Self);
                break;
            case ScoreModel score:
                _trainer.Tell(new EvaluateIns(score.Parameters, EvaluationSplit.Validation) { Round = score.Round }, Self);
                break;
            case Personalize personalize:
                _trainer.Tell(new PersonalizeIns(personalize.Global, personalize.Epochs, personalize.LearningRate), Self);
                break;
            case SubmitToChain submit:
                Submit(submit.Request);
                break;
            case FetchBlob fetch:
                Fetch(fetch);
                break;
            case StoreBlob store:
                _context.Blobs.Put(store.Kind, store.Hash, store.Bytes);
                break;
            case OfferUpdate offer:
                var message = new UpdateAnnounced(Self_, offer.Round, offer.Hash);
                foreach (var site in offer.To)
                {
                    _context.Peer(site).Tell(message, Self);
                }
                break;
            case SetDeadline deadline:
                Timers.StartSingleTimer(DeadlineKey, new DeadlineDue(deadline.Round), deadline.After);
                break;
            case RoundTrained trained:
                Publish(new SiteRoundTrained(TaskId, Self_, trained.Round, trained.MeanLoss, trained.Elapsed, trained.TrainingTime));
                break;
            case ModelAdopted adopted:
                Publish(new SiteRoundFinalized(TaskId, Self_, adopted.Round, adopted.Parameters));
                if (!_context.KeepOldBlobs)
                {
                    RemoveOldBlobs(adopted.Round.Round);
                }
                break;
            case SiteEnded ended:
                var personalized = ended.Personalization is { } p ? new PersonalizeRes(Self_, p.Global, p.Personalized, p.BestEpoch) : null;
                Publish(new SiteTaskEnded(TaskId, Self_, ended.State, ended.Detail, personalized));
                break;
            case ObtainImport obtain:
                Obtain(obtain);
                break;
            case ApplyTransfer apply:
                Apply(apply);
                break;
            case SiteNote note:
                Log.Log(LevelOf(note.Level), "task {Task} site {Site}: {Note}", TaskId, Self_, note.Text);
                break;
            default:
                throw new InvalidOperationException($"no adapter for {output.GetType().Name}");
        }
    }

    /// <summary>After adopting round <paramref name="round"/>'s model (<see cref="TaskPeerContext.KeepOldBlobs"/>
    /// false): the updates of round − 1 and the models before it go. The current and the previous round's blobs
    /// stay, for peers that are a round behind.</summary>
    private void RemoveOldBlobs(int round)
    {
        foreach (var final in _site!.Chain.Finalized)
        {
            if (final.Round == round - 1)
            {
                foreach (var update in final.Included)
                {
                    _context.Blobs.Remove(BlobKind.Update, update.Hash, out _);
                }
            }
            if (final.Round == round - 2)
            {
                _context.Blobs.Remove(BlobKind.Model, final.ModelHash, out _);
            }
        }
    }

    /// <summary>A blob in the site's own store answers at once; otherwise it is fetched from the named peers, one
    /// after the other until one serves it (the site asks again on its retry timer if none does).</summary>
    private void Fetch(FetchBlob fetch)
    {
        if (_context.Blobs.Get(fetch.Kind, fetch.Hash) is { } bytes)
        {
            Step(new BlobArrived(Self_, fetch.Kind, fetch.Hash, bytes));
            return;
        }
        StartFetch(fetch.Kind, fetch.Hash, fetch.From);
    }

    /// <summary>A peer holds its update: fetch it now, so that it is here when the chain closes the round (the site
    /// hears of the offer too, <see cref="UpdateOffered"/>).</summary>
    private void OnAnnounced(UpdateAnnounced announced)
    {
        if (_context.Terms.IndexOf(announced.Site) < 0 || announced.Site == Self_)
        {
            return;
        }
        Step(new UpdateOffered(announced.Site, announced.Round, announced.Hash));
        if (!_context.Blobs.Contains(BlobKind.Update, announced.Hash))
        {
            StartFetch(BlobKind.Update, announced.Hash, [announced.Site]);
        }
    }

    private void StartFetch(BlobKind kind, string hash, IReadOnlyList<string> from)
    {
        if (from.Count == 0 || !_fetching.Add((kind, hash)))
        {
            return;
        }
        var round = _site!.Progress().Round;
        _context.Fetcher.FetchAsync(TaskId, from[0], kind, hash, _stopping.Token)
            .PipeTo(Self, success: result => new Fetched(result, round, from.Skip(1).ToList()),
                failure: e => new Fetched(BlobFetch.Failed(from[0], kind, hash, TimeSpan.Zero, e.Message), round, from.Skip(1).ToList()));
    }

    private void OnFetched(Fetched fetched)
    {
        var result = fetched.Result;
        _fetching.Remove((result.Kind, result.Hash));
        if (result.Bytes is not { } bytes)
        {
            Log.LogDebug("task {Task} site {Site}: fetching {Kind} {Hash} from '{From}' failed: {Error}", TaskId, Self_,
                result.Kind, result.Hash, result.From, result.Error);
            StartFetch(result.Kind, result.Hash, fetched.Remaining);
            return;
        }
        var seen = _transfers.GetValueOrDefault(fetched.Round) ?? new RoundTransfer(fetched.Round, 0, 0, 0);
        _transfers[fetched.Round] = seen with
        {
            Blobs = seen.Blobs + 1, Bytes = seen.Bytes + bytes.Length, Seconds = seen.Seconds + result.Elapsed.TotalSeconds,
        };
        Step(new BlobArrived(result.From, result.Kind, result.Hash, bytes));
    }

    private TaskProgress Progress() => _site!.Progress() with { Transfers = [.. _transfers.Values], LastBlockAt = _lastBlockAt };

    private static LogLevel LevelOf(NoteLevel level) => level switch
    {
        NoteLevel.Warning => LogLevel.Warning,
        NoteLevel.Information => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    private void Submit(TaskRequest request)
    {
        SubmitPayload(request.ToPayload(_context.Genesis.ChainId, bytes => _context.Signer.Sign(bytes)));
    }

    /// <summary>Submits a signed payload (a task request, an export statement, an import) as this site's next client request.</summary>
    private void SubmitPayload(byte[] payload)
    {
        _lastRequestId = Math.Max(_lastRequestId + 1, Now.ToUnixTimeMilliseconds() * 1_000);
        _chain.Tell(new ChainSubmit(new ClientRequest(Self_, _lastRequestId, payload).SignedWith(_context.Genesis.ChainId, bytes => _context.Signer.Sign(bytes))));
    }

    private sealed record Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed record DeadlineDue(int Round);

    /// <summary>A fetch ended; <paramref name="Remaining"/> are the peers still to try if it failed.</summary>
    private sealed record Fetched(BlobFetch Result, int Round, IReadOnlyList<string> Remaining);
}
