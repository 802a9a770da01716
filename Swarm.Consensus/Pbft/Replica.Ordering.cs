using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

// Normal-case operation (§4.2): pre-prepare, prepare, commit, execution in sequence order.
//
// Blocks are chained, so one rule is added to the paper's: an honest replica prepares a block only once it has
// prepared (or executed) the block's predecessor in the same view and the block links to it. Then a prepared
// block implies prepared predecessors all the way down, which keeps the re-proposals of a new view chained
// (NewViewPlan) for every block that may have committed.
public sealed partial class Replica
{
    private readonly Dictionary<long, Slot> _slots = [];
    private readonly Dictionary<long, PreparedProof> _prepared = [];
    private readonly SortedDictionary<long, CertifiedBlock> _committed = [];
    private readonly Dictionary<int, Queue<VerifiedMessage>> _future = [];
    private readonly Dictionary<int, long> _futureViews = [];
    private readonly Dictionary<long, (Digest Hash, long TimestampMs)> _executed = [];

    private long HighWatermark => _stable.Sequence + _parameters.WatermarkWindowBlocks;

    private void OnOrdering(VerifiedMessage verified)
    {
        var (view, sequence) = verified.Message switch
        {
            PrePrepare m => (m.View, m.Sequence),
            Prepare m => (m.View, m.Sequence),
            Commit m => (m.View, m.Sequence),
            _ => (-1L, -1L),
        };
        if (verified.Message is Commit commit)
        {
            NoteCommit(commit);
        }
        if (view < _view)
        {
            return;
        }
        if (view > _view || _mode != ReplicaMode.Normal)
        {
            BufferFuture(verified);
            return;
        }
        // §4.2: accept only sequence numbers between the low and high watermarks; above the last executed.
        // A re-proposal of a block this replica already executed still gets its votes (§4.4: replicas redo the
        // protocol for the new view's set O without executing twice), so that replicas behind it can commit.
        if (sequence <= _stable.Sequence || sequence > HighWatermark || (sequence <= _lastExecuted && !_plan.ContainsKey(sequence)))
        {
            return;
        }
        if (!ConfigurationFor(sequence).Contains(verified.Sender))
        {
            Reject(verified.Sender, $"replica {verified.Sender} is not a member of the configuration at height {sequence}");
            return;
        }
        switch (verified.Message)
        {
            case PrePrepare pp:
                OnPrePrepare(verified.Signed, pp);
                break;
            case Prepare p:
                OnVote(verified.Signed, p.Sender, p.Sequence, p.BlockHash, commit: false);
                break;
            case Commit c:
                OnVote(verified.Signed, c.Sender, c.Sequence, c.BlockHash, commit: true);
                break;
        }
    }

    /// <summary>Messages for a view this replica has not installed yet wait, a bounded number per peer.</summary>
    private void BufferFuture(VerifiedMessage verified)
    {
        if (!_future.TryGetValue(verified.Sender, out var queue))
        {
            queue = new Queue<VerifiedMessage>();
            _future[verified.Sender] = queue;
        }
        if (queue.Count >= _options.PeerFutureMessagesMax)
        {
            Reject(verified.Sender, $"more than {_options.PeerFutureMessagesMax} messages for future views (PeerFutureMessagesMax)");
            return;
        }
        queue.Enqueue(verified);
        CatchUpWithFutureView(verified);
    }

    /// <summary>Normal-case messages for a higher view from f + 1 distinct replicas show that at least one correct
    /// replica installed that view: this replica (restarted, or cut off during the view change) asks to move
    /// there too, and the replicas in that view answer its view change with their new-view message.</summary>
    private void CatchUpWithFutureView(VerifiedMessage verified)
    {
        var view = verified.Message switch
        {
            PrePrepare m => m.View,
            Prepare m => m.View,
            Commit m => m.View,
            _ => -1,
        };
        if (view > _futureViews.GetValueOrDefault(verified.Sender, -1))
        {
            _futureViews[verified.Sender] = view;
        }
        var views = _futureViews.Values.Where(v => v > _view).OrderByDescending(v => v).ToList();
        if (views.Count >= _config.WeakQuorum)
        {
            StartViewChange(views[_config.WeakQuorum - 1]);
        }
    }

    private void ReplayFuture()
    {
        var waiting = _future.Values.SelectMany(q => q).ToList();
        _future.Clear();
        _futureViews.Clear();
        foreach (var verified in waiting)
        {
            OnOrdering(verified);
        }
    }

    private void OnPrePrepare(SignedMessage signed, PrePrepare pp)
    {
        var primary = ConfigurationFor(pp.Sequence).Primary(_view);
        if (pp.Sender != primary)
        {
            Reject(pp.Sender, $"pre-prepare for {pp.Sequence} from {pp.Sender}, but the primary of view {_view} is {primary}");
            return;
        }
        var slot = GetSlot(pp.Sequence);
        if (slot.Block is not null)
        {
            if (slot.Block.Hash != pp.Block.Hash)
            {
                Reject(pp.Sender, $"equivocation: a second pre-prepare for {pp.Sequence} in view {_view} with another block");
            }
            return;
        }
        var verdict = _plan.TryGetValue(pp.Sequence, out var planned)
            ? (planned.Hash == pp.Block.Hash ? Verdict.Accept : Verdict.Reject($"re-proposal for {pp.Sequence} differs from the new-view set"))
            : CheckFreshBlock(pp);
        if (!verdict.Ok)
        {
            Reject(pp.Sender, verdict.Reason);
            return;
        }
        slot.PrePrepare = signed;
        slot.Block = pp.Block;
        MarkInFlight(pp.Block);
        _highestAccepted = Math.Max(_highestAccepted, pp.Sequence);
        Advance(pp.Sequence);
    }

    private Verdict CheckFreshBlock(PrePrepare pp)
    {
        var block = pp.Block;
        if (pp.Sequence <= _planMax)
        {
            return Verdict.Reject($"fresh proposal for {pp.Sequence}, which the new view re-proposes");
        }
        if (block.Height != pp.Sequence || block.View != pp.View || block.Proposer != pp.Sender)
        {
            return Verdict.Reject($"block header (height {block.Height}, view {block.View}, proposer {block.Proposer}) does not match its pre-prepare");
        }
        if (block.Requests.Count == 0 || block.Requests.Count > _parameters.BatchSizeMax)
        {
            return Verdict.Reject($"block {block.Height} has {block.Requests.Count} requests, allowed 1..{_parameters.BatchSizeMax}");
        }
        if (_clockKnown && Math.Abs(block.TimestampMs - _nowMs) > _parameters.ClockSkewMaxMs)
        {
            return Verdict.Reject($"block {block.Height} timestamp {block.TimestampMs} is more than {_parameters.ClockSkewMaxMs} ms from {_nowMs}");
        }
        foreach (var request in block.Requests)
        {
            if (Inadmissible(request) is { } reason)
            {
                return Verdict.Reject($"block {block.Height}: {reason}");
            }
        }
        return Verdict.Accept;
    }

    private void OnVote(SignedMessage signed, int sender, long sequence, Digest hash, bool commit)
    {
        if (!commit && sender == ConfigurationFor(sequence).Primary(_view))
        {
            Reject(sender, $"the primary of view {_view} sent a prepare for {sequence}");
            return;
        }
        var slot = GetSlot(sequence);
        var votes = commit ? slot.Commits : slot.Prepares;
        if (votes.TryGetValue(sender, out var earlier))
        {
            if (VoteHash(earlier) != hash)
            {
                Reject(sender, $"equivocation: two {(commit ? "commits" : "prepares")} for {sequence} in view {_view}");
            }
            return;
        }
        votes[sender] = signed;
        if (commit)
        {
            if (sender == _id && sequence > ((_lastOwnCommit?.Message as Commit)?.Sequence ?? 0))
            {
                _lastOwnCommit = signed;
            }
        }
        Advance(sequence);
    }

    private static Digest VoteHash(SignedMessage signed) => signed.Message switch
    {
        Prepare p => p.BlockHash,
        Commit c => c.BlockHash,
        _ => default,
    };

    private Slot GetSlot(long sequence)
    {
        if (!_slots.TryGetValue(sequence, out var slot))
        {
            slot = new Slot();
            _slots[sequence] = slot;
        }
        return slot;
    }

    /// <summary>Moves a slot and the slots after it as far as their votes allow.</summary>
    private void Advance(long sequence)
    {
        for (var n = sequence; _slots.TryGetValue(n, out var slot); n++)
        {
            Progress(n, slot);
            if (!slot.Prepared)
            {
                return;
            }
        }
    }

    private void Progress(long n, Slot slot)
    {
        if (slot.Block is not { } block || !PredecessorLinks(n, slot, block))
        {
            return;
        }
        var primary = ConfigurationFor(n).Primary(_view);
        if (!slot.SentPrepare && primary != _id)
        {
            slot.SentPrepare = true;
            if (CanVote(n))
            {
                Vote(new Prepare(_id, _view, n, block.Hash), n);
            }
        }
        if (!slot.Prepared)
        {
            // §4.2 prepared(m, v, n, i): the pre-prepare and 2f matching prepares from distinct backups.
            var prepares = slot.Prepares.Values.Where(p => VoteHash(p) == block.Hash).ToList();
            if (prepares.Count < ConfigurationFor(n).Quorum - 1)
            {
                return;
            }
            slot.Prepared = true;
            _prepared[n] = new PreparedProof(slot.PrePrepare!, prepares);
            // §4.4 and the safety argument of §4.5.1: the certificate is durable before the commit that depends on it leaves, so a view
            // change after a restart still reports a block that may have committed at another replica.
            PersistHardState();
            if (!slot.SentCommit && CanVote(n))
            {
                slot.SentCommit = true;
                Vote(new Commit(_id, _view, n, block.Hash), n);
            }
        }
        TryCommitLocal(n, slot, block);
    }

    /// <summary>A block links when its predecessor is the last executed block or a block prepared in this view.</summary>
    private bool PredecessorLinks(long n, Slot slot, Block block)
    {
        Digest hash;
        long timestamp;
        if (n - 1 <= _lastExecuted)
        {
            if (ExecutedAt(n - 1) is not { } executed)
            {
                return false;
            }
            (hash, timestamp) = executed;
        }
        else if (_slots.TryGetValue(n - 1, out var previous) && previous.Prepared && previous.Block is { } previousBlock)
        {
            (hash, timestamp) = (previousBlock.Hash, previousBlock.TimestampMs);
        }
        else
        {
            return false;
        }
        if (block.PreviousHash == hash && block.TimestampMs >= timestamp)
        {
            return true;
        }
        if (!slot.LinkRejected)
        {
            slot.LinkRejected = true;
            Reject(ConfigurationFor(n).Primary(_view), $"block {n} does not extend block {n - 1} (wrong previous hash or an earlier timestamp)");
        }
        return false;
    }

    /// <summary>§4.2 committed-local: prepared and a quorum of matching commits; those commits are the certificate.</summary>
    private void TryCommitLocal(long n, Slot slot, Block block)
    {
        if (!slot.Prepared || slot.CommittedLocal)
        {
            return;
        }
        var quorum = ConfigurationFor(n).Quorum;
        var commits = slot.Commits.Values.Where(c => VoteHash(c) == block.Hash).Take(quorum).ToList();
        if (commits.Count < quorum)
        {
            return;
        }
        slot.CommittedLocal = true;
        if (n <= _lastExecuted && ExecutedAt(n) is { } executed && executed.Hash != block.Hash)
        {
            DetectFork(n, $"a quorum committed block {block.Hash} at {n} in view {_view}, this replica executed {executed.Hash}");
            return;
        }
        var votes = commits.Select(c => new CommitVote(c.Message.Sender, _view, n, block.Hash, c.Signature))
            .OrderBy(v => v.ReplicaId).ToArray();
        _committed[n] = new CertifiedBlock(block, new CommitCertificate(n, _view, block.Hash, votes));
    }

    /// <summary>Executes committed blocks in order, then lets the next slots and the primary move on.</summary>
    private void Settle()
    {
        do
        {
            while (_committed.Remove(_lastExecuted + 1, out var next))
            {
                Execute(next, emit: true);
            }
            Advance(_lastExecuted + 1);
        }
        while (_committed.ContainsKey(_lastExecuted + 1));
        foreach (var stale in _committed.Keys.Where(k => k <= _lastExecuted).ToList())
        {
            _committed.Remove(stale);
        }
        TryPropose();
    }

    private void Execute(CertifiedBlock certified, bool emit)
    {
        var block = certified.Block;
        Invariant.Assert(block.Height == _lastExecuted + 1 && block.PreviousHash == _lastExecutedHash,
            $"replica {_id} executes block {block.Height} on {_lastExecuted}, previous hash {block.PreviousHash} vs {_lastExecutedHash}");
        var executed = new List<ClientRequest>(block.Requests.Count);
        foreach (var request in block.Requests)
        {
            RemovePending(request.Key);
            _inFlight.Remove(request.Key);
            if (!request.RunsAfter(_lastExecutedRequest))
            {
                continue;
            }
            _lastExecutedRequest[request.ClientId] = request.RequestId;
            executed.Add(request);
            if (MembershipChange.TryParse(request) is { } change && change.ApprovedBy(_nextConfig ?? _config))
            {
                ScheduleMembershipChange(change, block.Height);
            }
        }
        _lastExecuted = block.Height;
        _lastExecutedHash = block.Hash;
        _lastExecutedTimestamp = block.TimestampMs;
        _executed[block.Height] = (block.Hash, block.TimestampMs);
        _slots.Remove(block.Height);
        _observedCommits.Remove(block.Height);
        _progressDeadline = _ticks + _options.RequestTimeoutTicks;
        if (emit)
        {
            Emit(new PersistBlock(certified));
            Emit(new Committed(certified, executed));
        }
        if (block.Height == _nextConfigHeight)
        {
            ActivateNextConfiguration();
        }
        if (block.Height % _parameters.CheckpointIntervalBlocks == 0)
        {
            OnOwnCheckpoint(block, emit);
        }
    }

    /// <summary>Hash and timestamp of an executed block above the stable checkpoint (or the checkpoint itself).</summary>
    private (Digest Hash, long TimestampMs)? ExecutedAt(long height)
    {
        if (height == _stable.Sequence)
        {
            return (_stable.Hash, _stable.TimestampMs);
        }
        return _executed.TryGetValue(height, out var executed) ? executed : null;
    }

    private void ScheduleMembershipChange(MembershipChange change, long height)
    {
        var baseConfig = _nextConfig ?? _config;
        if (baseConfig.Apply(change) is not { } changed)
        {
            return;
        }
        _nextConfig = changed;
        _nextConfigHeight = MembershipChange.ActivationHeight(height, _parameters);
    }

    /// <summary>A new member's key counts from the activation height on, not from the execution of the change: the
    /// edge accepts its messages only then.</summary>
    private void ActivateNextConfiguration()
    {
        foreach (var member in _nextConfig!.Members)
        {
            _knownMembers[member.Id] = member;
        }
        _knownConfiguration = null;
        _config = _nextConfig!;
        _configHistory.Add((_nextConfigHeight, _config));
        _nextConfig = null;
        _nextConfigHeight = long.MaxValue;
    }
}
