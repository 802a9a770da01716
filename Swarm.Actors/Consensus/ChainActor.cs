using Akka.Actor;
using Akka.Persistence;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Platform;
using Swarm.Consensus.Pbft;

namespace Swarm.Actors.Consensus;

/// <summary>
/// One replica of a chain as a persistent actor: a thin adapter over a deferring <see cref="ReplicaHost"/> whose
/// durable outputs (committed blocks, the hard state) become journal entries. Persist before send (STYLE.md #3):
/// after each step the host's <see cref="DurableBatch"/> is written with one <c>PersistAll</c> (Akka stashes every
/// command until it is stored), and only in its handler do the step's PBFT messages leave and its commits go to the
/// parent (<see cref="ChainBlocksCommitted"/>). Recovery replays the journal (from the last snapshot on) into an
/// in-memory ledger and then <see cref="ReplicaHost.Restore"/>; the parent gets the chain as
/// <see cref="ChainRecovered"/> before anything else. A snapshot (all blocks and the hard state) is saved at each
/// new stable checkpoint; journal entries are never deleted, since the blocks in them are the ledger. A write the
/// journal fails or rejects stops the actor before anything that depended on it is sent.
/// </summary>
public sealed class ChainActor : UntypedPersistentActor, IWithTimers
{
    private static readonly object TickKey = "tick";

    private readonly ChainActorOptions _options;
    private readonly ChainRecovery _recovery;
    private readonly List<Committed> _committed = [];
    private ReplicaHost? _host;
    private IActorRef _parent = ActorRefs.Nobody;
    private ILogger? _log;
    private long _durableHeight;
    private long _snapshotStable;
    private (long View, ReplicaMode Mode) _lastView = (0, ReplicaMode.Normal);

    public ChainActor(ChainActorOptions options)
    {
        _options = options;
        PersistenceId = ChainActorOptions.PersistenceIdOf(options.Genesis);
        _recovery = new ChainRecovery(options.Genesis, PersistenceId);
    }

    /// <summary>The in-memory copy of the durable ledger (plus, during a write, the blocks being written).</summary>
    private InMemoryReplicaLedger Ledger => _recovery.Ledger;

    public static Props Props(ChainActorOptions options) => Akka.Actor.Props.Create(() => new ChainActor(options));

    public override string PersistenceId { get; }

    /// <summary>Set by Akka before PreStart.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Logger => _log ??= NodeLogging.For(Context.System).Factory.CreateLogger<ChainActor>();

    private string ChainId => _options.Genesis.ChainId;

    protected override void OnRecover(object message)
    {
        if (_recovery.Recover(message, LastSequenceNr))
        {
            Start();
        }
    }

    private void Start()
    {
        _parent = Context.Parent;
        Replica replica;
        try
        {
            replica = ReplicaHost.Restore(_options.Genesis, _options.ReplicaIndex, _options.ReplicaOptions, Ledger);
        }
        catch (ReplicaStateException e)
        {
            Logger.LogError("chain {Chain} replica {Replica}: {Error}", ChainId, _options.ReplicaIndex, e.Message);
            Context.Parent.Tell(new ChainStateUnreadable(e));
            return;
        }
        _host = ReplicaHost.Deferring(replica, ChainId, _options.Signer, _options.Verifier, _options.Clients, Ledger, new Transport(this));
        _host.Committed += _committed.Add;
        _host.Rejected += r => Logger.LogDebug("chain {Chain} replica {Replica}: refused input from replica {From}: {Reason}", ChainId, _options.ReplicaIndex, r.From, r.Reason);
        _host.ForkDetected += f => Logger.LogError("chain {Chain} replica {Replica}: two certificates for height {Height}, the replica stopped on this chain: {Reason}",
            ChainId, _options.ReplicaIndex, f.Height, f.Reason);
        if (replica.Halted)
        {
            Logger.LogError("chain {Chain} replica {Replica}: stays stopped on this chain, as before the restart: {Reason}",
                ChainId, _options.ReplicaIndex, replica.HaltReason);
        }
        _durableHeight = Ledger.Height;
        _snapshotStable = replica.StableSequence;
        _lastView = (replica.View, replica.Mode);
        Context.Parent.Tell(new ChainRecovered(Ledger.ReadRange(1, Ledger.Height)));
        Timers.StartPeriodicTimer(TickKey, ChainTick.Instance, _options.TickInterval);
    }

    protected override void OnCommand(object message)
    {
        if (_host is null)
        {
            return; // The replica's state could not be read: nothing runs until the node stops.
        }
        switch (message)
        {
            case ChainSubmit submit:
                if (_host.Submit(submit.Request) is { } problem)
                {
                    Logger.LogError("chain {Chain} replica {Replica}: the chain refused this site's own request: {Reason}", ChainId, _options.ReplicaIndex, problem);
                }
                AfterStep();
                break;
            case ChainPacket packet:
                if (!MessageCodec.TryDecode(packet.Message, out var signed, out var error))
                {
                    Logger.LogWarning("chain {Chain}: malformed PBFT message from '{From}': {Error}", ChainId, packet.From, error);
                    return;
                }
                _host!.Deliver(signed!);
                AfterStep();
                break;
            case ChainTick:
                _host!.Tick(Context.System.Scheduler.Now.ToUnixTimeMilliseconds());
                AfterStep();
                NoteViewChanges();
                break;
            case GetChainStatus:
                Sender.Tell(_host!.Replica.Status);
                break;
            case SaveSnapshotSuccess:
                break;
            case SaveSnapshotFailure failure:
                Logger.LogWarning(failure.Cause, "chain {Chain}: the snapshot at journal entry {Sequence} was not saved; recovery replays the journal from the last one",
                    ChainId, failure.Metadata.SequenceNr);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Makes the step's writes durable, then lets out what waited for them.</summary>
    private void AfterStep()
    {
        if (_host!.TakeBatch() is not { } batch)
        {
            ReportCommitted();
            return;
        }
        var entries = new List<IChainJournalEntry>(batch.Blocks.Count + 1);
        entries.AddRange(batch.Blocks.Select(b => new ChainBlockAppended(b)));
        if (batch.HardState is { } state)
        {
            entries.Add(new ChainStateSaved(state));
        }
        var remaining = entries.Count;
        PersistAll(entries, _ =>
        {
            if (--remaining > 0)
            {
                return;
            }
            _durableHeight += batch.Blocks.Count;
            batch.Release();
            ReportCommitted();
            SnapshotAtCheckpoint();
        });
    }

    private void ReportCommitted()
    {
        if (_committed.Count == 0)
        {
            return;
        }
        Context.Parent.Tell(new ChainBlocksCommitted(_committed.ToList()));
        _committed.Clear();
    }

    private void SnapshotAtCheckpoint()
    {
        var stable = _host!.Replica.StableSequence;
        if (stable <= _snapshotStable)
        {
            return;
        }
        _snapshotStable = stable;
        SaveSnapshot(new ChainSnapshot(Ledger.ReadRange(1, Ledger.Height), Ledger.LoadState(HardStateCodec.StoreKey)));
    }

    /// <summary>Logs the replica's moves between views: the first thing to look at when a chain stops.</summary>
    private void NoteViewChanges()
    {
        var replica = _host!.Replica;
        if ((replica.View, replica.Mode) == _lastView)
        {
            return;
        }
        _lastView = (replica.View, replica.Mode);
        Logger.LogInformation("chain {Chain} replica {Replica}: {Mode} in view {View} (primary {Primary}), height {Height}",
            ChainId, _options.ReplicaIndex, replica.Mode == ReplicaMode.Normal ? "ordering" : "changing view", replica.View,
            replica.Configuration.Primary(replica.View), replica.LastExecuted);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Logger.LogError(cause, "chain {Chain}: the journal did not store {Entry} (journal entry {Sequence}): the chain stops, and nothing that " +
            "depended on it was sent. The journal keeps the blocks up to height {Height}; the chain resumes from them when it starts again.",
            ChainId, @event.GetType().Name, sequenceNr, _durableHeight);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        Logger.LogError(cause, "chain {Chain}: the journal refused {Entry} (journal entry {Sequence}): the chain stops, and nothing that " +
            "depended on it was sent. The journal keeps the blocks up to height {Height}.", ChainId, @event.GetType().Name, sequenceNr, _durableHeight);
        Context.Stop(Self);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        Logger.LogError(reason, "chain {Chain}: the journal of '{Persistence}' cannot be replayed: {Reason}", ChainId, PersistenceId, reason.Message);
        base.OnRecoveryFailure(reason, message);
    }

    private sealed class Transport(ChainActor chain) : IReplicaTransport
    {
        public void Send(int from, int to, SignedMessage message) =>
            chain._options.Send(to, MessageCodec.Encode(message), chain._parent);

        public void Broadcast(int from, SignedMessage message) =>
            chain._options.Broadcast(MessageCodec.Encode(message), chain._parent);
    }

    private sealed record ChainTick
    {
        public static readonly ChainTick Instance = new();
    }
}
