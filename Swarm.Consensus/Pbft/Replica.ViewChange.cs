using Swarm.Consensus.Blocks;

namespace Swarm.Consensus.Pbft;

// View changes (§4.4) with the liveness rules of §4.5.2: the new-view timer starts only once 2f + 1 replicas ask
// for the view, it backs off exponentially, and a replica joins a view change once f + 1 replicas ask for a
// higher view.
public sealed partial class Replica
{
    private readonly Dictionary<int, SignedMessage> _viewChanges = [];
    private readonly Dictionary<long, Block> _plan = [];
    private readonly Dictionary<int, long> _newViewResentAt = [];
    private long _planMax;
    private long _viewChangeDeadline = long.MaxValue;
    private long _viewChangeResendAt;
    private int _viewChangeAttempts;
    private long _newViewSentFor = -1;
    private SignedMessage? _lastNewView;

    /// <summary>Asks for <paramref name="newView"/>. The timer that moves on to the next view is not armed yet: a
    /// replica alone in suspecting the primary (for example the first one back after every node went down) would
    /// otherwise climb views on its own, and the others, who never see f + 1 view changes above their view, would
    /// never follow it; it would be out of the ordering for good. Until the others answer, it repeats its view
    /// change every ViewChangeTimeoutTicks, for peers that were down when it was first sent.</summary>
    private void StartViewChange(long newView)
    {
        if (newView <= _view)
        {
            return;
        }
        _view = newView;
        _mode = ReplicaMode.ViewChange;
        _viewChangeAttempts++;
        _viewChangeDeadline = long.MaxValue;
        _viewChangeResendAt = _ticks + _options.ViewChangeTimeoutTicks;
        RequeueInFlight();
        _slots.Clear();
        _plan.Clear();
        _planMax = 0;
        _votedThrough = 0;
        // The mode and the certificates the view change is built from are durable before it leaves (§4.4).
        PersistHardState();
        SignAndBroadcast(OwnViewChange());
    }

    /// <summary>§4.4: the stable checkpoint with its proof and every prepared certificate above it. After a
    /// restart the same message is rebuilt from the same stored parts.</summary>
    private ViewChange OwnViewChange()
    {
        var prepared = _prepared.Where(e => e.Key > _stable.Sequence).OrderBy(e => e.Key).Select(e => e.Value).ToArray();
        return new ViewChange(_id, _view, _stable.Sequence, _stable.Hash, _stable.TimestampMs, _stable.Proof, prepared);
    }

    private void OnViewChange(SignedMessage signed, ViewChange vc)
    {
        if (vc.Sender != _id)
        {
            ResendNewView(vc);
        }
        if (vc.NewView <= _view && _mode == ReplicaMode.Normal)
        {
            return;
        }
        if (!_config.Contains(vc.Sender))
        {
            Reject(vc.Sender, $"view change from {vc.Sender}, which is not a member of the configuration in force");
            return;
        }
        var verdict = ViewChangeValidator.Check(vc, ConfigurationFor, _genesis);
        if (!verdict.Ok)
        {
            Reject(vc.Sender, verdict.Reason);
            return;
        }
        if (_viewChanges.TryGetValue(vc.Sender, out var earlier) && ((ViewChange)earlier.Message).NewView >= vc.NewView)
        {
            return;
        }
        _viewChanges[vc.Sender] = signed;
        JoinIfOthersMovedOn();
        ArmViewChangeTimer();
        TryNewView();
    }

    /// <summary>§4.5.2: with 2f + 1 view changes for its view (its own included) a replica starts the timer that,
    /// if no new view comes in time, moves it on to the next view, each time waiting twice as long. View changes
    /// for later views count too: those replicas have left this view's predecessors as well, and a replica that
    /// waited for exact matches could wait forever below one that had moved on (its own view change lost).</summary>
    private void ArmViewChangeTimer()
    {
        if (_mode != ReplicaMode.ViewChange || _viewChangeDeadline != long.MaxValue
            || MemberViewChanges.Count(s => ((ViewChange)s.Message).NewView >= _view) < _config.Quorum)
        {
            return;
        }
        var shift = Math.Min(_viewChangeAttempts - 1, _options.ViewChangeBackoffShiftMax);
        _viewChangeDeadline = _ticks + ((long)_options.ViewChangeTimeoutTicks << shift);
    }

    /// <summary>On a tick in a view change: move on when the armed timer expired, else repeat this replica's own
    /// view change now and then (it may have been lost, or sent while peers were down).</summary>
    private void ViewChangeTick()
    {
        if (_ticks >= _viewChangeDeadline)
        {
            StartViewChange(_view + 1);
        }
        else if (_ticks >= _viewChangeResendAt)
        {
            _viewChangeResendAt = _ticks + _options.ViewChangeTimeoutTicks;
            if (_viewChanges.TryGetValue(_id, out var own) && ((ViewChange)own.Message).NewView == _view)
            {
                Emit(new Broadcast(own));
            }
            else
            {
                // Restarted in the middle of a view change: its view change is signed again from the stored state.
                SignAndBroadcast(OwnViewChange());
            }
        }
    }

    /// <summary>A peer still asking for a view that this replica has installed missed the new-view message
    /// (restarted, cut off): send it again, once per peer per view-change timeout, whatever view this replica is in
    /// now, so that the peer can rejoin.</summary>
    private void ResendNewView(ViewChange vc)
    {
        if (_lastNewView is { Message: NewView installed } && vc.NewView <= installed.View
            && _ticks >= _newViewResentAt.GetValueOrDefault(vc.Sender, long.MinValue))
        {
            _newViewResentAt[vc.Sender] = _ticks + _options.ViewChangeTimeoutTicks;
            Emit(new Send(vc.Sender, _lastNewView));
        }
    }

    /// <summary>§4.5.2: with f + 1 view changes for views above its own, a replica moves to the smallest of them
    /// without waiting for its timer, since at least one correct replica suspects the primary.</summary>
    private void JoinIfOthersMovedOn()
    {
        var ahead = MemberViewChanges.Select(s => ((ViewChange)s.Message).NewView)
            .Where(v => v > _view).ToList();
        if (ahead.Count >= _config.WeakQuorum)
        {
            StartViewChange(ahead.Min());
        }
    }

    /// <summary>The view changes of the members of the configuration in force. One stored from a member that a
    /// membership change has since removed no longer counts: with it, a removed (possibly faulty) replica could
    /// complete a new-view quorum that misses every member holding a committed block's certificate, and the new view
    /// would re-propose another block at that height.</summary>
    private IEnumerable<SignedMessage> MemberViewChanges => _viewChanges.Where(e => _config.Contains(e.Key)).Select(e => e.Value);

    private void TryNewView()
    {
        if (_mode != ReplicaMode.ViewChange || !IsPrimary || _newViewSentFor == _view)
        {
            return;
        }
        var forView = MemberViewChanges.Where(s => ((ViewChange)s.Message).NewView == _view)
            .OrderBy(s => s.Message.Sender == _id ? -1 : s.Message.Sender).ToList();
        if (forView.Count < _config.Quorum || forView[0].Message.Sender != _id)
        {
            return;
        }
        _newViewSentFor = _view;
        SignAndBroadcast(new NewView(_id, _view, forView.Take(_config.Quorum).ToArray()));
    }

    private void OnNewView(SignedMessage signed, NewView nv)
    {
        if (nv.View < _view || (nv.View == _view && _mode == ReplicaMode.Normal))
        {
            return;
        }
        var verdict = CheckNewView(nv);
        if (!verdict.Ok)
        {
            Reject(nv.Sender, verdict.Reason);
            return;
        }
        var viewChanges = nv.ViewChanges.Select(s => (ViewChange)s.Message).ToList();
        var plan = NewViewPlan.Compute(viewChanges, nv.View, nv.Sender);
        if (PlanContradictsExecuted(plan))
        {
            return;
        }
        _lastNewView = signed;
        Install(nv.View, plan);
    }

    private Verdict CheckNewView(NewView nv)
    {
        if (nv.Sender != _config.Primary(nv.View))
        {
            return Verdict.Reject($"new view {nv.View} from {nv.Sender}, but its primary is {_config.Primary(nv.View)}");
        }
        var senders = new HashSet<int>();
        foreach (var signed in nv.ViewChanges)
        {
            if (signed.Message is not ViewChange vc || vc.NewView != nv.View)
            {
                return Verdict.Reject($"new view {nv.View} holds a message that is not a view change for it");
            }
            if (!_config.Contains(vc.Sender))
            {
                return Verdict.Reject($"new view {nv.View} holds a view change from {vc.Sender}, which is not a member of the configuration in force");
            }
            var verdict = ViewChangeValidator.Check(vc, ConfigurationFor, _genesis);
            if (!verdict.Ok)
            {
                return verdict;
            }
            senders.Add(vc.Sender);
        }
        return senders.Count >= _config.Quorum
            ? Verdict.Accept
            : Verdict.Reject($"new view {nv.View} has {senders.Count} view changes, needs {_config.Quorum}");
    }

    /// <summary>Enters a view: the re-proposals of the plan become the only acceptable pre-prepares up to
    /// max-s, a stable checkpoint above this replica's state is fetched, and the new primary sends a signed
    /// pre-prepare for every re-proposal.</summary>
    private void Install(long view, NewViewPlan plan)
    {
        _view = view;
        _mode = ReplicaMode.Normal;
        _viewChangeAttempts = 0;
        _viewChangeDeadline = long.MaxValue;
        _newViewResentAt.Clear();
        RequeueInFlight();
        _slots.Clear();
        _plan.Clear();
        _votedThrough = 0;
        foreach (var block in plan.Blocks.Where(b => b.Height > _stable.Sequence))
        {
            _plan[block.Height] = block;
        }
        _planMax = plan.MaxSequence;
        _progressDeadline = _ticks + _options.RequestTimeoutTicks;
        PersistHardState();
        AdoptBase(plan.Base);
        var last = plan.Blocks.Count > 0 ? plan.Blocks[^1] : null;
        _proposeCursor = last is not null
            ? (last.Height, last.Hash, last.TimestampMs)
            : (plan.Base.Sequence, plan.Base.Hash, plan.Base.TimestampMs);
        if (IsPrimary)
        {
            foreach (var block in _plan.Values.OrderBy(b => b.Height))
            {
                Vote(new PrePrepare(_id, view, block.Height, block), block.Height);
            }
        }
        foreach (var block in _plan.Values.Where(b => b.Height > _lastExecuted))
        {
            MarkInFlight(block);
            _highestAccepted = Math.Max(_highestAccepted, block.Height);
        }
        ReplayFuture();
    }

    /// <summary>A new view's base checkpoint and its re-proposals at heights this replica executed must be the
    /// blocks it executed (the set O holds every committed block, §4.4); anything else is a fork.</summary>
    private bool PlanContradictsExecuted(NewViewPlan plan)
    {
        if (plan.Base.Sequence > _stable.Sequence && ContradictsExecuted(plan.Base, "the new view's checkpoint"))
        {
            return true;
        }
        foreach (var block in plan.Blocks.Where(b => b.Height > _stable.Sequence && b.Height <= _lastExecuted))
        {
            if (ExecutedAt(block.Height) is { } executed && executed.Hash != block.Hash)
            {
                DetectFork(block.Height, $"the new view re-proposes block {block.Hash} at {block.Height}, this replica executed {executed.Hash}");
                return true;
            }
        }
        return false;
    }

    private void AdoptBase(StableCheckpoint @base)
    {
        if (@base.Sequence <= _stable.Sequence)
        {
            return;
        }
        if (@base.Sequence <= _lastExecuted)
        {
            MakeStable(@base);
            return;
        }
        _pendingStable = @base.Sequence > (_pendingStable?.Sequence ?? 0) ? @base : _pendingStable;
        RaiseFetchTarget(@base.Sequence, immediately: true);
    }
}
