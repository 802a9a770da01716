using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

/// <summary>A PBFT replica (Castro and Liskov, "Practical Byzantine Fault Tolerance", OSDI 1999, and "Practical
/// Byzantine Fault Tolerance and Proactive Recovery", TOCS 2002) as a deterministic state machine: <see cref="Step"/>
/// takes one input and returns what the edge must do, in order. No I/O, clock, randomness or threads: signing,
/// persisting and reading the ledger are outputs whose results come back as inputs, and time is a tick count.
/// The sequence number of a PBFT instance is the height of the block it orders.</summary>
public sealed partial class Replica
{
    private readonly Genesis _genesis;
    private readonly ChainParameters _parameters;
    private readonly ReplicaOptions _options;
    private readonly int _id;
    private List<ReplicaOutput> _out = [];

    private Configuration _config;
    private Configuration? _nextConfig;
    private long _nextConfigHeight = long.MaxValue;
    private readonly List<(long AboveHeight, Configuration Configuration)> _configHistory = [];
    private readonly Dictionary<int, Member> _knownMembers = [];
    private Configuration? _knownConfiguration;

    private long _view;
    private ReplicaMode _mode = ReplicaMode.Normal;
    private long _ticks;
    private long _nowMs;
    private bool _clockKnown;

    private long _lastExecuted;
    private Digest _lastExecutedHash;
    private long _lastExecutedTimestamp;
    private StableCheckpoint _stable;

    private long _votedThrough;
    private long _restoredView = -1;
    private long _restoredVoteFloor;
    private SignedMessage? _lastOwnCommit;
    private long _announceAt;
    private int _forksDetected;
    private bool _halted;
    private string? _haltReason;

    public Replica(Genesis genesis, int id, ReplicaOptions options)
    {
        var error = genesis.Validate() ?? options.Validate();
        Invariant.Assert(error is null, "replica built from an unvalidated genesis or options: " + error);
        _genesis = genesis;
        _parameters = genesis.Parameters;
        _options = options;
        _id = id;
        _config = genesis.InitialConfiguration;
        _configHistory.Add((0, _config));
        foreach (var member in _config.Members)
        {
            _knownMembers[member.Id] = member;
        }
        _lastExecutedHash = genesis.Hash;
        _lastExecutedTimestamp = _parameters.GenesisTimestampMs;
        _stable = new StableCheckpoint(0, _lastExecutedHash, _lastExecutedTimestamp, []);
        _proposeCursor = (0, _lastExecutedHash, _lastExecutedTimestamp);
        _progressDeadline = options.RequestTimeoutTicks;
    }

    /// <summary>Rebuilds a replica after a restart from its ledger (every committed block, in order, already
    /// certified) and its hard state. Re-executing the chain restores duplicate suppression and membership; the
    /// hard state brings back the view, the mode, the prepared certificates and the installed new view, so the
    /// replica resumes where it stopped (see <see cref="HardState"/>).</summary>
    public static Replica Restore(Genesis genesis, int id, ReplicaOptions options, HardState? state, IEnumerable<CertifiedBlock> chain)
    {
        var replica = new Replica(genesis, id, options);
        foreach (var certified in chain)
        {
            replica.Execute(certified, emit: false);
        }
        replica._proposeCursor = (replica._lastExecuted, replica._lastExecutedHash, replica._lastExecutedTimestamp);
        if (state is not null)
        {
            replica.RestoreHardState(state);
        }
        return replica;
    }

    private void RestoreHardState(HardState state)
    {
        if (state.HaltedBecause is { } reason)
        {
            // It found a fork before the restart: it stays stopped, with the same reason.
            _halted = true;
            _haltReason = reason;
        }
        _view = state.View;
        _restoredView = state.View;
        _restoredVoteFloor = state.VotedThrough;
        _votedThrough = state.VotedThrough;
        if (state.StableSequence <= _lastExecuted && state.StableSequence > 0)
        {
            _stable = new StableCheckpoint(state.StableSequence, state.StableHash, state.StableTimestampMs, state.StableProof);
            foreach (var height in _executed.Keys.Where(h => h < state.StableSequence).ToList())
            {
                _executed.Remove(height);
            }
        }
        foreach (var proof in state.PreparedCertificates.Where(p => p.Proposal.Sequence > _stable.Sequence))
        {
            _prepared[proof.Proposal.Sequence] = proof;
            if (proof.Proposal.Sequence > _lastExecuted)
            {
                // Something was under way: the request timer runs, as it did before the crash.
                _highestAccepted = Math.Max(_highestAccepted, proof.Proposal.Sequence);
            }
        }
        if (state.Mode == ReplicaMode.ViewChange)
        {
            // Its view change is sent again (rebuilt from the same certificates) on the next tick.
            _mode = ReplicaMode.ViewChange;
            _viewChangeAttempts = 1;
            _viewChangeResendAt = 0;
        }
        else if (state.NewView is { Message: NewView nv } signed && nv.View == state.View)
        {
            RestorePlan(signed, nv);
        }
    }

    /// <summary>Recomputes the installed view's re-proposals from the stored new-view message, as when it was
    /// installed, so that the replica accepts exactly those pre-prepares up to max-s again.</summary>
    private void RestorePlan(SignedMessage signed, NewView nv)
    {
        var plan = NewViewPlan.Compute(nv.ViewChanges.Select(s => (ViewChange)s.Message).ToList(), nv.View, nv.Sender);
        _lastNewView = signed;
        foreach (var block in plan.Blocks.Where(b => b.Height > _stable.Sequence))
        {
            _plan[block.Height] = block;
            if (block.Height > _lastExecuted)
            {
                MarkInFlight(block);
                _highestAccepted = Math.Max(_highestAccepted, block.Height);
            }
        }
        _planMax = plan.MaxSequence;
        if (plan.Blocks.Count > 0 && plan.Blocks[^1].Height > _proposeCursor.Sequence)
        {
            var last = plan.Blocks[^1];
            _proposeCursor = (last.Height, last.Hash, last.TimestampMs);
        }
    }

    public int Id => _id;
    public long View => _view;
    public ReplicaMode Mode => _mode;
    public long LastExecuted => _lastExecuted;
    public Digest LastExecutedHash => _lastExecutedHash;
    public long StableSequence => _stable.Sequence;
    public Configuration Configuration => _config;

    /// <summary>How many times this replica found two certificates for one height (see <see cref="ForkDetected"/>).</summary>
    public int ForksDetected => _forksDetected;

    /// <summary>True once a fork was detected, here or before a restart: the replica then ignores every input.</summary>
    public bool Halted => _halted;

    /// <summary>Why the replica stopped on this chain (null while it runs); survives restarts.</summary>
    public string? HaltReason => _haltReason;
    public bool IsPrimary => _config.Primary(_view) == _id;

    /// <summary>Every member this replica has known (current and past configurations), for the edge's envelope
    /// check: old members' signatures are still needed to verify old certificates.</summary>
    public Configuration KnownMembers => _knownConfiguration ??= new(_knownMembers.Values.ToList(), 0);

    /// <summary>Entries held in the message log (slots, prepared certificates, checkpoint votes, commit evidence by
    /// height), for tests of watermarks and garbage collection.</summary>
    public int LogEntries => _slots.Count + _prepared.Count + _checkpointVotes.Count + _observedCommits.Count;

    public ReplicaStatus Status => new(_id, _view, _lastExecuted, _stable.Sequence, _mode, _pending.Count + _inFlight.Count);

    /// <summary>The configuration that orders height <paramref name="height"/> (see <see cref="MembershipChange"/>).</summary>
    public Configuration ConfigurationFor(long height)
    {
        if (_nextConfig is not null && height > _nextConfigHeight)
        {
            return _nextConfig;
        }
        for (var i = _configHistory.Count - 1; i > 0; i--)
        {
            if (height > _configHistory[i].AboveHeight)
            {
                return _configHistory[i].Configuration;
            }
        }
        return _configHistory[0].Configuration;
    }

    public IReadOnlyList<ReplicaOutput> Step(ReplicaInput input)
    {
        _out = [];
        if (_halted)
        {
            return _out;
        }
        switch (input)
        {
            case Tick tick:
                OnTick(tick);
                break;
            case SubmitRequest submit:
                OnSubmit(submit.Request);
                break;
            case Receive receive:
                Handle(receive.Message);
                break;
            case Signed signed:
                OnSigned(signed);
                break;
            case BlocksRead read:
                OnBlocksRead(read);
                break;
            default:
                Invariant.Assert(false, $"unknown input {input.GetType().Name}");
                break;
        }
        if (!_halted)
        {
            Settle();
        }
        return _out;
    }

    private void OnTick(Tick tick)
    {
        _ticks++;
        _nowMs = tick.NowMs;
        _clockKnown = true;
        FlushRelay();
        RelayAgain();
        AnnounceLastCommit();
        if (_mode == ReplicaMode.Normal)
        {
            if (!Waiting)
            {
                _progressDeadline = _ticks + _options.RequestTimeoutTicks;
            }
            else if (_ticks >= _progressDeadline)
            {
                // §4.4: the backup's timer expired while a request waited, so it suspects the primary.
                StartViewChange(_view + 1);
            }
        }
        else
        {
            ViewChangeTick();
        }
        if (_fetchTarget > _lastExecuted && _ticks >= _fetchDeadline)
        {
            StartFetch();
        }
    }

    /// <summary>Every RequestTimeoutTicks a replica repeats its commit of its last executed block (in any mode;
    /// one small message). A replica that missed the commits of a chain's last blocks (cut off, restarted, or
    /// outside the view) then sees f + 1 of them and fetches those blocks; otherwise it would wait for a checkpoint
    /// that a chain gone quiet (a task's, after its last round) never reaches.</summary>
    private void AnnounceLastCommit()
    {
        if (_ticks < _announceAt || _lastOwnCommit is not { Message: Commit commit } own || commit.Sequence != _lastExecuted)
        {
            return;
        }
        _announceAt = _ticks + _options.RequestTimeoutTicks;
        Emit(new Broadcast(own));
    }

    private void OnSigned(Signed signed)
    {
        if (signed.To is int to)
        {
            Emit(new Send(to, signed.Message));
            return;
        }
        Emit(new Broadcast(signed.Message));
        if (signed.Message.Message is not RequestBatch)
        {
            // A replica's own broadcast counts as received by itself, through the same checks as a peer's.
            Handle(VerifiedMessage.Own(signed.Message));
        }
    }

    private void Handle(VerifiedMessage verified)
    {
        var message = verified.Message;
        if (!_knownMembers.ContainsKey(message.Sender))
        {
            Reject(message.Sender, $"{message.GetType().Name} from {message.Sender}, which is not a member");
            return;
        }
        switch (message)
        {
            case RequestBatch batch:
                OnRequestBatch(batch);
                break;
            case PrePrepare or Prepare or Commit:
                OnOrdering(verified);
                break;
            case Checkpoint checkpoint:
                OnCheckpoint(verified.Signed, checkpoint);
                break;
            case ViewChange viewChange:
                OnViewChange(verified.Signed, viewChange);
                break;
            case NewView newView:
                OnNewView(verified.Signed, newView);
                break;
            case FetchBlocks fetch:
                OnFetch(fetch);
                break;
            case BlocksReply reply:
                OnBlocksReply(reply);
                break;
            default:
                Reject(message.Sender, $"unexpected message {message.GetType().Name}");
                break;
        }
    }

    private void Emit(ReplicaOutput output) => _out.Add(output);

    private void Reject(int from, string reason) => Emit(new Rejected(from, reason));

    private void SignAndBroadcast(PbftMessage message) => Emit(new SignRequest(message, null));

    private void SignAndSend(PbftMessage message, int to) => Emit(new SignRequest(message, to));

    /// <summary>Votes (pre-prepare, prepare, commit) are preceded by a durable record of the highest sequence
    /// voted for in this view, so that a replica restarted from its store never votes twice for one slot.</summary>
    private void Vote(PbftMessage message, long sequence)
    {
        if (sequence > _votedThrough)
        {
            _votedThrough = sequence;
            PersistHardState();
        }
        SignAndBroadcast(message);
    }

    private bool CanVote(long sequence) =>
        (_view != _restoredView || sequence > _restoredVoteFloor) && ConfigurationFor(sequence).Contains(_id);

    /// <summary>One durable write of everything a restart needs (see <see cref="HardState"/>); the edge stores it
    /// before it carries out any later output.</summary>
    private void PersistHardState()
    {
        var prepared = _prepared.Where(e => e.Key > _stable.Sequence).OrderBy(e => e.Key).Select(e => e.Value).ToArray();
        var newView = _lastNewView is { Message: NewView nv } && nv.View == _view ? _lastNewView : null;
        Emit(new PersistState(new HardState(_view, _votedThrough, _stable.Sequence, _stable.Hash, _stable.TimestampMs, _stable.Proof,
            _mode, prepared, newView, _haltReason)));
    }

    /// <summary>This replica holds two certificates for one height: the block it executed there, and a quorum's
    /// word for another (a stable checkpoint, a new view's checkpoint or re-proposal, a certified block). That
    /// needs more than f faulty replicas (Castro and Liskov §4.2, safety), so nothing it would do next can be
    /// trusted: it reports the fork, drops what it was about to send in this step, records that it stopped (so a
    /// restart does not revive it), and ignores every later input.</summary>
    private void DetectFork(long height, string reason)
    {
        _forksDetected++;
        _halted = true;
        _haltReason = $"two certificates for height {height}: {reason}";
        _out.RemoveAll(o => o is SignRequest or Send or Broadcast);
        PersistHardState();
        Emit(new ForkDetected(height, $"replica {_id} stops on this chain: {reason}"));
    }
}
