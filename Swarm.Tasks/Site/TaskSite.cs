using System.Runtime.InteropServices;
using Swarm.Learning.Privacy.SecureAggregation;
using Swarm.Learning.Updates;

namespace Swarm.Tasks;

/// <summary>
/// One site's round protocol as a pure state machine: train from the last final global model → publish the top-θ
/// update (bytes to every peer, hash to the chain) → when the chain closes the round (k of n, or the deadline)
/// recompute the aggregate from the included bytes and vote its hashes → adopt the model the chain finalizes (a
/// site that computed something else fetches it from a peer that agreed). There is no coordinator: every step
/// follows from the committed chain (<see cref="TaskChain"/>) and the site's own state, and <see cref="Advance"/>
/// re-derives what to do next after anything happens, which is also how a restarted site (its chain replayed from
/// its ledger) rejoins. No I/O, clock or randomness: the adapter turns messages into inputs and carries out the
/// outputs (trainer instructions, chain requests, blob fetches and stores, timers, reports).
/// </summary>
public sealed partial class TaskSite
{
    private readonly TaskSpec _spec;
    private readonly string _self;
    private readonly TaskChain _chain;
    private string _initialHash;
    private readonly Dictionary<int, AggregateRecomputed> _ownAggregates = [];
    private readonly HashSet<(BlobKind, string)> _wanted = [];
    private readonly HashSet<string> _heldUpdates = new(StringComparer.Ordinal);
    private readonly HashSet<int> _scoring = [];
    private readonly Queue<(int Round, float[] Parameters)> _toScore = new();
    private List<SiteOutput> _outputs = [];
    private float[]? _global;
    private string? _globalHash;
    private int _trainingRound;
    private int _publishedRound;
    private int _votingRound;
    private string? _votingDigest;
    private bool _recomputing;
    private string? _missingWatch;
    private int _deadlineRound;
    private bool _personalizing;
    private TaskState _state;
    private string? _detail;
    private readonly SitePrivacyPlan? _privacyPlan;
    private readonly PrivacyBudget? _budget;
    private long _stepsSpent;
    private int _refusedRound;
    private bool _halted;
    private readonly Func<int, byte[]>? _secAggEntropy;
    private SecAggParticipant? _secAgg;
    private int _secAggRound;
    private bool _sharesSent;
    private bool _maskedSent;
    private bool _unmaskSent;
    private (int Round, int Responses) _secAggAttempt;
    private int _sitOutRound;
    private UpdateTrained? _pending;
    private bool _replayPending;
    private readonly long? _ownSamples;
    private int _recordRetries;
    private (int Round, string BaseHash)? _trainingAhead;
    private (UpdateTrained Update, string BaseHash)? _heldAhead;
    private readonly HashSet<(int Round, string Site, string Hash)> _offers = [];
    private (int Round, string Digest, AggregateRecomputed? Result)? _speculation;

    /// <summary>Retry periods a site waits after its start before it submits the sample record (and between repeats).</summary>
    private const int RecordDelayRetries = 2;
    private bool _samplesChecked;

    /// <param name="spec">The task's spec (rounds, epochs, θ, deadline, personalization).</param>
    /// <param name="self">This site's id, one of the chain's sites.</param>
    /// <param name="chain">The task's chain state as far as this site's ledger goes (replayed on a restart).</param>
    /// <param name="initialModel">The initial global model, which every site builds alike from the task's seed.</param>
    /// <param name="privacy">The site's sample count and budget; required when the spec runs local DP or Dopamine.</param>
    /// <param name="secAggEntropy">Under secure aggregation: 32 fresh bytes for a round's secrets (the node's OS
    /// CSPRNG; a seed only in tests). Asked once per round the site takes part in.</param>
    public TaskSite(TaskSpec spec, string self, TaskChain chain, float[] initialModel, SitePrivacy? privacy = null,
        Func<int, byte[]>? secAggEntropy = null)
    {
        if ((chain.Terms.SecureAggregation is not null || chain.Terms.SecretSharing) && secAggEntropy is null)
        {
            throw new ArgumentException($"task '{spec.Id}' runs secure aggregation or secret sharing: site '{self}' needs an entropy source for its round secrets", nameof(secAggEntropy));
        }
        _secAggEntropy = secAggEntropy;
        if (chain.Terms.IndexOf(self) < 0)
        {
            throw new ArgumentException($"site '{self}' is not a participant of task '{spec.Id}'", nameof(self));
        }
        _spec = spec;
        _self = self;
        _chain = chain;
        _initialHash = ModelDigest.Hex(initialModel);
        _seedModel = spec.Transfer is null ? null : initialModel;
        if (chain.LastFinalized is null)
        {
            (_global, _globalHash) = (initialModel, _initialHash);
        }
        _state = chain.Cancellation is not null ? TaskState.Cancelled : TaskState.Running;
        _ownSamples = privacy?.SampleCount;
        if (spec.Privacy.DifferentialPrivacy)
        {
            if (privacy is null)
            {
                throw new ArgumentException($"task '{spec.Id}' runs {spec.Privacy.Mode} DP: site '{self}' needs its sample count to account its ε", nameof(privacy));
            }
            _privacyPlan = SitePrivacyPlan.For(spec, privacy.SampleCount);
            _budget = privacy.Budget;
            // A restarted site resumes from what the chain recorded of its spending.
            _stepsSpent = chain.SpentBy(self)?.Steps ?? 0;
        }
    }

    /// <summary>Every participant's sample declaration as the task's start carried them (in participant order): what
    /// this site asks the chain to record before its first round when the chain fixes counts at consent
    /// (<see cref="TaskChainTerms.SamplesDeclaredAtConsent"/>). Empty: the site submits no record and waits for
    /// another site's.</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];

    /// <summary>Whether the site trains the next round from its own aggregate as soon as it has voted it, instead of
    /// waiting for the chain to finalize the round (default: yes, for rounds without secure aggregation or secret
    /// sharing). The update it trains that way leaves the site only once the chain finalizes exactly that model
    /// (the same hash, so the same bits); otherwise it is thrown away and the round is trained again from the final
    /// model. The votes' ordering then overlaps the next round's training instead of preceding it.</summary>
    public bool TrainAhead { get; init; } = true;

    /// <summary>The site's DP-SGD plan under a local-DP or Dopamine task; null without DP.</summary>
    public SitePrivacyPlan? PrivacyPlan => _privacyPlan;

    /// <summary>DP-SGD steps of every update this site has published so far (0 without DP).</summary>
    public long StepsSpent => _stepsSpent;

    public TaskChain Chain => _chain;

    public TaskState State => _state;

    /// <summary>The hash of the global model the site holds (the last final round's once it has it).</summary>
    public string? GlobalHash => _globalHash;

    private TaskChainTerms Terms => _chain.Terms;

    public TaskProgress Progress() => new(_spec.Id, _state, Math.Min(_chain.CurrentRound, Terms.Rounds), Terms.Rounds,
        _globalHash, _chain.Height, _detail ?? _chain.Cancellation?.Reason ?? _transferDetail ?? PrivacyDetail(), EpsilonSpent: _privacyPlan?.EpsilonAfter(_stepsSpent),
        Validation: [.. _chain.Finalized.Select(f => RoundValidation.Of(f.Round, _chain.ValidationOf(f.Round).Values)).OfType<RoundValidation>()]);

    /// <summary>While a DP task runs: the ε this site has spent so far.</summary>
    private string? PrivacyDetail()
    {
        if (_privacyPlan is not { } plan)
        {
            return null;
        }
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        var spent = string.Create(culture, $"{_spec.Privacy.Mode} DP: ε = {plan.EpsilonAfter(_stepsSpent):G4} at δ = {plan.Delta:G3} after {_stepsSpent} DP-SGD steps");
        return _budget is { } budget ? spent + string.Create(culture, $" (budget ε = {budget.Epsilon:G4})") : spent;
    }

    /// <summary>One line for a simulator's failure report.</summary>
    public string StatusLine() =>
        $"{_self}: {_state}, chain round {_chain.CurrentRound}/{Terms.Rounds} at height {_chain.Height}, model {_globalHash?[..12] ?? "none"}, " +
        $"training {_trainingRound}, published {_publishedRound}, voting {_votingRound}{VotingStatus()}, waiting for {_wanted.Count} blobs" + SecAggStatus() + SharedStatus();

    /// <summary>Whether the recomputation in flight is the guess of <see cref="Speculate"/> (its result not in yet).</summary>
    private bool Speculating => _recomputing && _speculation is { Result: null };

    private string VotingStatus() =>
        _chain.CurrentClosed is { } closed
            ? $" (set {closed.UpdateSetDigest[..8]} of {string.Join(",", closed.Included.Select(u => u.Site))}, voted {_votingDigest?[..8] ?? "none"}{(_recomputing ? ", recomputing" : "")}{SpeculationStatus()})"
            : SpeculationStatus() is { Length: > 0 } speculation ? $" ({speculation[2..]})" : "";

    /// <summary>The set this site guessed the open round would close on (<see cref="Speculate"/>), if any.</summary>
    private string SpeculationStatus() =>
        _speculation is { } s && s.Round == _chain.CurrentRound ? $", speculated {s.Digest[..8]}{(s.Result is null ? "" : " (computed)")}" : "";

    private string SecAggStatus()
    {
        if (Terms.SecureAggregation is null)
        {
            return "";
        }
        var record = _chain.CurrentSecAgg;
        var included = _chain.CurrentClosed is { } closed ? string.Join(",", closed.Included.Select(u => Terms.IndexOf(u.Site))) : "open";
        return $"; secagg round {_secAggRound}{(_secAgg is null ? " (out)" : "")}: keys {record.Keys.Count}{(record.KeysClosed ? "·" : "")}, " +
            $"shares {record.Shares.Count}{(record.SharesClosed ? "·" : "")}, included {included}, responses {record.Responses.Count}, " +
            $"pending {_pending?.Round ?? 0}, sent {(_sharesSent ? "s" : "")}{(_maskedSent ? "m" : "")}{(_unmaskSent ? "u" : "")}";
    }

    public IReadOnlyList<SiteOutput> Step(SiteInput input)
    {
        _outputs = [];
        switch (input)
        {
            case SiteStarted started:
                OnStarted(started);
                break;
            case ChainCommitted committed:
                OnCommitted(committed);
                break;
            case UpdateTrained trained:
                OnTrained(trained);
                break;
            case AggregateRecomputed aggregate:
                OnAggregate(aggregate);
                break;
            case ModelScored scored:
                OnScored(scored);
                break;
            case PersonalizationDone personalized:
                Finish(personalized);
                break;
            case TrainerFailed failed:
                OnTrainerFailed(failed);
                break;
            case BlobArrived arrived:
                OnBlob(arrived);
                break;
            case UpdateOffered offered:
                OnOffered(offered);
                break;
            case DeadlinePassed due:
                OnDeadline(due);
                break;
            case RetryDue:
                Advance(retry: true);
                break;
            case ImportObtained obtained:
                OnImportObtained(obtained);
                break;
            case TransferApplied applied:
                OnTransferApplied(applied);
                break;
            case CancelRequested cancel:
                if (!_chain.IsOver)
                {
                    Emit(new SubmitToChain(new CancellationRequest(_self, cancel.Reason)));
                }
                break;
            default:
                throw new InvalidOperationException($"no step for {input.GetType().Name}");
        }
        ScoreDue();
        return _outputs;
    }

    private void OnStarted(SiteStarted started)
    {
        if (started.Restarted)
        {
            // A restart: announce it, which also makes this site's replica see how far the others are and catch up.
            Emit(new SubmitToChain(new SiteRejoined(_chain.CurrentRound, _self)));
        }
        Advance();
    }

    private void OnCommitted(ChainCommitted committed)
    {
        foreach (var block in committed.Blocks)
        {
            foreach (var evt in _chain.Apply(block.Height, block.Executed))
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
                Note(NoteLevel.Information, $"round {closed.Round} closed at height {closed.Height} with {closed.Included.Count} updates " +
                    $"({string.Join(", ", closed.Included.Select(u => u.Site))})");
                break;
            case RoundFinalized finalized:
                OnFinalized(finalized.Round);
                break;
            case UpdatesDropped dropped:
                Note(NoteLevel.Warning, $"round {dropped.Round} dropped the updates of {string.Join(", ", dropped.Sites)} at height {dropped.Height}: " +
                    $"{Terms.NoticesToClose} sites could not get them from anyone");
                break;
            case VoteOutvoted outvoted:
                Note(NoteLevel.Warning, $"site '{outvoted.Site}' voted model {outvoted.ModelHash} for round {outvoted.Round}, " +
                    "which the chain finalized otherwise (outvoted)");
                break;
            case TaskCancelled cancelled:
                _state = TaskState.Cancelled;
                _detail = cancelled.Budget is not null
                    ? $"stopped after round {_chain.Finalized.Count} by {cancelled.Site}: {cancelled.Reason}"
                    : $"cancelled by {cancelled.Site}: {cancelled.Reason}";
                Note(NoteLevel.Information, $"{_detail} (height {cancelled.Height})");
                Emit(new SiteEnded(TaskState.Cancelled, _detail, null));
                break;
            case SiteRejoinedChain rejoined:
                Note(NoteLevel.Information, $"site '{rejoined.Site}' restarted and rejoined (height {rejoined.Height})");
                break;
            case PrivacyRecorded recorded:
                Note(NoteLevel.Debug, $"chain recorded site '{recorded.Site}' at ε = {recorded.Claim.Epsilon:G4} after round {recorded.Round}");
                break;
            case SecAggPhaseClosed phase:
                Note(NoteLevel.Debug, $"round {phase.Round}: secure aggregation's {phase.Phase} phase closed with {phase.Count} sites (height {phase.Height})");
                break;
            case RequestIgnored ignored:
                Note(NoteLevel.Debug, $"chain ignored a request of '{ignored.ClientId}': {ignored.Reason}");
                break;
        }
    }

    private void OnFinalized(FinalizedRound round)
    {
        if (round.Outvoted.Count > 0)
        {
            Note(NoteLevel.Warning, $"round {round.Round} finalized model {round.ModelHash}; outvoted: {string.Join(", ", round.Outvoted)}");
        }
        if (_ownAggregates.Remove(round.Round, out var own) && own.ModelHash == round.ModelHash && own.Parameters is { } parameters)
        {
            Emit(new StoreBlob(BlobKind.Model, round.ModelHash, ToBytes(parameters)));
            Adopt(parameters, round.ModelHash);
        }
        Note(NoteLevel.Information, $"round {round.Round} final at height {round.Height}: model {round.ModelHash[..12]} " +
            $"({round.Agreeing.Count} agreeing)");
        if (_global is not null && _globalHash == round.ModelHash)
        {
            // Scored off the round's critical path, when the trainer has nothing else of this site's to do
            // (ScoreDue), so it runs while the other sites train.
            _toScore.Enqueue((round.Round, _global));
        }
    }

    private void Adopt(float[] parameters, string hash)
    {
        _global = parameters;
        _globalHash = hash;
        if (_chain.LastFinalized is { } last && last.ModelHash == hash)
        {
            Emit(new ModelAdopted(last, parameters));
        }
    }

    /// <summary>Looks at the committed chain and this site's own state and starts whatever is due: fetching the
    /// current global model, training the open round, fetching included updates and voting a closed round,
    /// personalizing after the last one; then the scoring of final models. Idempotent; <paramref name="retry"/>
    /// asks again for missing blobs.</summary>
    private void Advance(bool retry = false) => StartDue(retry);

    /// <summary>After every step: the final models waiting for their score go to the trainer once it neither trains
    /// nor recomputes for this site. A score queued behind a training would run as soon as that training ends, which
    /// is when the site that trained last computes the aggregate every site's next training waits for.</summary>
    private void ScoreDue()
    {
        if (_trainingRound != 0 || _recomputing)
        {
            return;
        }
        while (_toScore.TryDequeue(out var score))
        {
            _scoring.Add(score.Round);
            Emit(new ScoreModel(score.Round, score.Parameters));
        }
    }

    private void StartDue(bool retry)
    {
        if (_chain.Cancellation is not null || _halted || _state is TaskState.Completed or TaskState.Failed)
        {
            return;
        }
        if (!SamplesReady(retry))
        {
            return;
        }
        if (TransferPending(retry))
        {
            return;
        }
        var expected = _chain.LastFinalized?.ModelHash ?? _initialHash;
        if (_globalHash != expected)
        {
            Want(BlobKind.Model, expected, _chain.LastFinalized?.Agreeing ?? [], retry);
            return;
        }
        if (_chain.IsComplete)
        {
            StartPersonalizing();
            return;
        }
        var round = _chain.CurrentRound;
        if (Terms.SecureAggregation is not null)
        {
            StartDueMasked(round, retry);
            return;
        }
        if (Terms.SecretSharing)
        {
            StartDueShared(round, retry);
            return;
        }
        // Holding the next round's update trained ahead: nothing to train, but the round, closed again on another
        // set after an update was dropped, may still want this site's vote.
        var holding = ReleaseHeldAhead();
        if (_chain.CurrentClosed is not { } closed)
        {
            if (holding)
            {
                return;
            }
            if (_trainingRound != round && _publishedRound != round && !_chain.HasPublished(_self))
            {
                StartTraining(round);
            }
            if (_trainingRound == round || _publishedRound == round)
            {
                // Armed here rather than at the start of training, so that a round trained ahead gets its deadline
                // when it opens (its update may go out at that moment).
                ArmDeadline(round);
            }
            Speculate(round);
            return;
        }
        if (Speculating && _votingRound != round)
        {
            // The round closed while the aggregate of the set it was expected to close on is computed: that result
            // decides (a vote if the sets agree, a recomputation otherwise).
            _votingRound = round;
            _votingDigest = _speculation!.Value.Digest;
        }
        if (_chain.HasVoted(_self) || (_votingRound == round && (_recomputing || _votingDigest == closed.UpdateSetDigest)))
        {
            // Voted, or recomputing. (A round the chain closed again on another set, after dropping an unavailable
            // update, is recomputed once the result for the old set is in and thrown away.)
            return;
        }
        var missing = closed.Included.Where(u => !_heldUpdates.Contains(u.Hash)).ToList();
        foreach (var update in missing)
        {
            Want(BlobKind.Update, update.Hash, [update.Site], retry);
        }
        if (missing.Count > 0)
        {
            WatchAvailability(round, closed);
            return;
        }
        BeginVote(round, closed);
        if (_speculation is { Result: { Parameters: not null } speculated } s && s.Round == round && s.Digest == closed.UpdateSetDigest)
        {
            // Computed before the close, on the set the chain then closed on: voted at once.
            _recomputing = false;
            Vote(speculated, closed);
            return;
        }
        Note(NoteLevel.Debug, $"recomputing round {round}'s aggregate");
        Emit(new RecomputeAggregate(round, _global!, closed.Included));
    }

    /// <summary>The round under secure aggregation (docs/secure-aggregation.md, "In the rounds"): fresh keys and
    /// training at the round's start, shares once the chain fixed U1, the masked update once it fixed U2 and the
    /// training is done, the unmask response once the round closed (U3), and the vote once t responses are on the
    /// chain and every included masked blob is here.</summary>
    private void StartDueMasked(int round, bool retry)
    {
        var record = _chain.CurrentSecAgg;
        var me = Terms.IndexOf(_self);
        if (_secAggRound != round && _sitOutRound != round && record.HasKeys(me))
        {
            Resume(round, record, me);
        }
        if (_secAggRound == round)
        {
            ReplayHeldShares(round, record);
        }
        if (_chain.CurrentClosed is { } closed)
        {
            Unmask(round, record, closed, me);
            VoteMasked(round, record, closed, retry);
            return;
        }
        if (_secAggRound != round)
        {
            if (_sitOutRound == round || OverBudget(round))
            {
                return;
            }
            if (record.KeysClosed)
            {
                SitOut(round, "the keys phase closed without it");
                return;
            }
            _secAggRound = round;
            (_sharesSent, _maskedSent, _unmaskSent, _pending, _replayPending) = (false, false, false, null, false);
            _secAgg = new SecAggParticipant(SecureRound.Parameters(Terms, round, _global!.Length), me, _secAggEntropy!(round));
            foreach (var output in _secAgg.Step(new Begin()))
            {
                if (output is Broadcast { Message: AdvertiseKeys keys })
                {
                    Emit(new SubmitToChain(new SecAggKeysPublished(round, _self, keys.CipherPublicKey, keys.MaskPublicKey)));
                }
            }
        }
        if (_secAgg is null)
        {
            return;
        }
        if (_trainingRound != round && _pending?.Round != round && !_maskedSent && !_replayPending)
        {
            StartTraining(round);
        }
        if (record.KeysClosed && !_sharesSent)
        {
            _sharesSent = true;
            StepSecAgg(round, new KeysAdvertised(record.Keys));
        }
        if (record.SharesClosed && _sharesSent && !_maskedSent && !_replayPending && _pending is { } pending && pending.Round == round && _secAgg is not null)
        {
            _maskedSent = true;
            if (!record.HasShares(me))
            {
                SitOut(round, "the shares phase closed without it");
                return;
            }
            StepSecAgg(round, new SharesDealt(record.Shares, SecureRound.Weighted(pending.Update.Bytes, DopamineTerms.WeightOf(_spec, pending.Update.SampleCount))));
        }
    }

    /// <summary>A restarted site whose keys are on the chain: the participant is rebuilt from the same entropy (the
    /// node keeps a round's 32 bytes on disk before the keys leave) and replayed through the chain's messages, so the
    /// site can still answer the unmask request. It never masks a second update under the same masks (the difference
    /// of the two would be in the clear): if its masked update is not on the chain, it sits the round out.</summary>
    private void Resume(int round, SecAggRecord record, int me)
    {
        var participant = new SecAggParticipant(SecureRound.Parameters(Terms, round, _global!.Length), me, _secAggEntropy!(round));
        var keys = participant.Step(new Begin()).OfType<Broadcast>().Select(b => b.Message).OfType<AdvertiseKeys>().Single();
        var recorded = record.Keys.Single(k => k.Sender == me);
        if (!keys.MaskPublicKey.AsSpan().SequenceEqual(recorded.MaskPublicKey) || !keys.CipherPublicKey.AsSpan().SequenceEqual(recorded.CipherPublicKey))
        {
            SitOut(round, "its keys for this round were sent before a restart, and the secrets behind them are gone");
            return;
        }
        _secAggRound = round;
        (_secAgg, _sharesSent, _maskedSent, _unmaskSent, _pending, _replayPending) = (participant, false, false, false, null, false);
        if (!record.KeysClosed || !record.HasShares(me))
        {
            return; // the shares it deals now are of the same secrets as any it dealt before
        }
        _sharesSent = !Aborts(participant.Step(new KeysAdvertised(record.Keys)));
        if (!record.SharesClosed)
        {
            return;
        }
        // Its masked update may still be on its way to the chain: it never masks another one, and it replays the
        // shares it holds as soon as (if ever) the chain shows the one it sent.
        _replayPending = true;
        ReplayHeldShares(round, record);
    }

    /// <summary>After a resume: once the chain holds this site's masked update, replays the agreed shares through the
    /// participant only to decrypt the shares it holds; the masked vector of zeros this makes is dropped unsent.</summary>
    private void ReplayHeldShares(int round, SecAggRecord record)
    {
        var published = _chain.HasPublished(_self) || _chain.CurrentClosed?.Included.Any(u => u.Site == _self) == true;
        if (!_replayPending || !published || _secAgg is null)
        {
            return;
        }
        _replayPending = false;
        _maskedSent = !Aborts(_secAgg.Step(new SharesDealt(record.Shares, new float[_global!.Length])));
        Note(NoteLevel.Information, $"round {round}: secure aggregation resumed after a restart");
    }

    private bool Aborts(IReadOnlyList<SecAggOutput> outputs)
    {
        if (outputs.OfType<Aborted>().FirstOrDefault() is { } aborted)
        {
            SitOut(_secAggRound, aborted.Reason);
            return true;
        }
        return false;
    }

    /// <summary>Steps the round's participant and carries out what it says: a message goes to the chain (the masked
    /// vector as a blob whose hash the chain records); an abort ends this site's part in the round.</summary>
    private void StepSecAgg(int round, SecAggInput input)
    {
        foreach (var output in _secAgg!.Step(input))
        {
            switch (output)
            {
                case Broadcast { Message: ShareKeys shares }:
                    Emit(new SubmitToChain(new SecAggSharesPublished(round, _self, shares.SelfMaskCommitment, shares.Shares)));
                    break;
                case Broadcast { Message: MaskedInput masked }:
                    PublishMasked(round, masked);
                    break;
                case Broadcast { Message: UnmaskResponse response }:
                    Emit(new SubmitToChain(new SecAggUnmaskPublished(round, _self, response.SelfMaskShares, response.MaskKeyShares)));
                    break;
                case Rejection rejection:
                    Note(NoteLevel.Warning, $"round {round}: secure aggregation refused something{(rejection.Culprit is { } c ? $" of '{Terms.Sites[c]}'" : "")}: {rejection.Reason}");
                    break;
                case Aborted aborted:
                    SitOut(round, aborted.Reason);
                    break;
            }
        }
    }

    private void SitOut(int round, string reason)
    {
        if (_sitOutRound != round)
        {
            Note(NoteLevel.Warning, $"round {round}: this site's update is not in the secure sum: {reason}");
        }
        _sitOutRound = round;
        _secAgg = null;
        _pending = null;
    }

    /// <summary>Only the masked vector leaves the site: stored, offered to the peers, its hash to the chain.</summary>
    private void PublishMasked(int round, MaskedInput masked)
    {
        var update = _pending!.Update;
        _pending = null;
        var bytes = SecureRound.Encode(masked.Masked);
        var hash = RoundAggregate.HashOf(bytes);
        Emit(new StoreBlob(BlobKind.Update, hash, bytes));
        _heldUpdates.Add(hash);
        _publishedRound = round;
        PrivacyClaim? claim = null;
        if (_privacyPlan is { } plan)
        {
            _stepsSpent += plan.StepsPerRound;
            claim = plan.ClaimAfter(_stepsSpent);
        }
        Note(NoteLevel.Debug, $"publishing round {round}'s masked update {hash[..12]}");
        Emit(new OfferUpdate(round, hash, [.. Terms.Sites.Where(s => s != _self)]));
        Emit(new SubmitToChain(new UpdatePublished(round, _self, hash, update.SampleCount) { Privacy = claim }));
    }

    /// <summary>A survivor answers the one unmask request the closed round determines, once.</summary>
    private void Unmask(int round, SecAggRecord record, RoundClosed closed, int me)
    {
        if (_secAgg is null || _secAggRound != round || !_maskedSent || _unmaskSent || record.HasResponded(me)
            || closed.Included.All(u => u.Site != _self))
        {
            return;
        }
        _unmaskSent = true;
        StepSecAgg(round, new UnmaskRequested(SecureRound.RequestOf(Terms, record, closed, me)));
    }

    /// <summary>Recomputes the secure sum once the round has t unmask responses and every included masked blob is
    /// here; after a failure (a response that did not help) again only when more responses arrive.</summary>
    private void VoteMasked(int round, SecAggRecord record, RoundClosed closed, bool retry)
    {
        if (_votingRound == round || _chain.HasVoted(_self))
        {
            return;
        }
        var missing = closed.Included.Where(u => !_heldUpdates.Contains(u.Hash)).ToList();
        foreach (var update in missing)
        {
            Want(BlobKind.Update, update.Hash, [update.Site], retry);
        }
        var responses = record.Responses.Count;
        if (missing.Count > 0 || responses < Terms.SecureAggregation!.Threshold || _secAggAttempt == (round, responses))
        {
            return;
        }
        _secAggAttempt = (round, responses);
        BeginVote(round, closed);
        Note(NoteLevel.Debug, $"recomputing round {round}'s secure sum from {responses} unmask responses");
        var me = Terms.IndexOf(_self);
        Emit(new RecomputeSecureAggregate(round, _global!, closed.Included, SecureRound.Parameters(Terms, round, _global!.Length),
            [.. record.Keys], [.. record.Shares], SecureRound.RequestOf(Terms, record, closed, me), [.. record.Responses])
        {
            Unweighted = _spec.Privacy.Mode == PrivacyModes.Dopamine,
        });
    }

    /// <summary>Whether the site may train: in a task whose chain fixes the sample counts declared at consent, only once
    /// the record is on the chain (the site submits it from its start's declarations, again on a retry) and its own
    /// count and its start's declarations agree with it. Otherwise it asks the chain to end the task, once, with the
    /// reason: a site whose data changed would train with another weight than the one fixed, and a site whose start
    /// carried other declarations than the chain recorded was told something else than the others.</summary>
    private bool SamplesReady(bool retry)
    {
        if (!Terms.SamplesDeclaredAtConsent)
        {
            return true;
        }
        if (_chain.SamplesFixedAt is not { } height)
        {
            _detail ??= "waiting for the chain to record the sample counts declared at consent";
            _recordRetries += retry ? 1 : 0;
            // The first request of a new chain goes out only after a couple of retry periods: sent while another
            // participant's peer is still starting, PBFT would hold it until a view change (seconds).
            if (Declarations.Count > 0 && retry && _recordRetries >= RecordDelayRetries)
            {
                Note(NoteLevel.Debug, $"asking the chain to record the sample counts declared at consent: {CountsText(Declarations.Select(d => (d.Site, d.SampleCount)))}");
                Emit(new SubmitToChain(new SamplesDeclared(_self, Declarations)));
            }
            return false;
        }
        if (_detail == "waiting for the chain to record the sample counts declared at consent")
        {
            _detail = null;
        }
        if (_samplesChecked)
        {
            return !_halted;
        }
        _samplesChecked = true;
        if (SamplesMismatch(height) is not { } reason)
        {
            return true;
        }
        Note(NoteLevel.Warning, reason);
        _halted = true;
        if (!_chain.IsOver)
        {
            Emit(new SubmitToChain(new CancellationRequest(_self, reason)));
        }
        return false;
    }

    private string? SamplesMismatch(long height)
    {
        var fixedCount = _chain.SamplesOf(_self);
        if (_ownSamples is { } own && fixedCount is { } declared && own != declared)
        {
            return $"site '{_self}' now has {own} training samples, but declared {declared} at consent (fixed on the task's chain at height {height}): " +
                "its data changed since, and it will not train with another weight than the fixed one";
        }
        var differing = Declarations.Where(d => _chain.SamplesOf(d.Site) != d.SampleCount).ToList();
        return differing.Count == 0
            ? null
            : $"the task's chain fixed sample counts {CountsText(Terms.Sites.Select(s => (s, _chain.SamplesOf(s) ?? 0)))} (height {height}), which differ from " +
              $"the declarations site '{_self}' got with the task's start ({CountsText(Declarations.Select(d => (d.Site, d.SampleCount)))})";
    }

    private static string CountsText(IEnumerable<(string Site, long Count)> counts) =>
        string.Join(", ", counts.Select(c => $"{c.Site} {c.Count}"));

    /// <summary>Asks the likely holders for a blob once, and every site again on a retry.</summary>
    private void Want(BlobKind kind, string hash, IReadOnlyList<string> holders, bool retry)
    {
        if (!_wanted.Add((kind, hash)) && !retry)
        {
            return;
        }
        var targets = retry || holders.Count == 0 ? Terms.Sites : holders;
        Emit(new FetchBlob(kind, hash, [.. targets.Where(s => s != _self)]));
    }

    private void StartTraining(int round)
    {
        if (OverBudget(round))
        {
            return;
        }
        Train(round, _global!);
        ArmDeadline(round);
    }

    private void Train(int round, float[] from)
    {
        _trainingRound = round;
        Note(NoteLevel.Debug, $"training round {round}{(_trainingAhead?.Round == round ? " ahead, from its own aggregate" : "")}");
        var totalEpochs = _spec.Rounds * _spec.LocalEpochs;
        Emit(new TrainRound(round, from, _spec.LocalEpochs, (round - 1) * _spec.LocalEpochs, totalEpochs, _spec.PartialShareFraction));
    }

    /// <summary>The site recomputes the closed round's aggregate for <paramref name="closed"/>'s update set.</summary>
    private void BeginVote(int round, RoundClosed closed)
    {
        _votingRound = round;
        _votingDigest = closed.UpdateSetDigest;
        _recomputing = true;
    }

    /// <summary>Included updates are missing when the round closes: a fresh deadline (replacing the round's) after
    /// which the site tells the chain which ones it still cannot get (<see cref="UpdatesMissing"/>).</summary>
    private void WatchAvailability(int round, RoundClosed closed)
    {
        if (_missingWatch != closed.UpdateSetDigest)
        {
            _missingWatch = closed.UpdateSetDigest;
            Emit(new SetDeadline(round, _spec.RoundDeadline));
        }
    }

    private void ArmDeadline(int round)
    {
        if (_deadlineRound != round)
        {
            _deadlineRound = round;
            Emit(new SetDeadline(round, _spec.RoundDeadline));
        }
    }

    /// <summary>After voting round r's aggregate, trains round r + 1 from it at once (<see cref="TrainAhead"/>):
    /// plain rounds only (under secure aggregation or secret sharing a round starts with its own chain phases), not
    /// after the last round, and not when a DP budget would refuse the round (that refusal is the chain's to record,
    /// once the round is open).</summary>
    private void TrainAheadFrom(AggregateRecomputed aggregate)
    {
        var next = aggregate.Round + 1;
        if (_heldAhead is { } held && held.BaseHash != aggregate.ModelHash && held.Update.Round == next)
        {
            // Trained from an aggregate speculated before the close, of a set the chain did not close on.
            Note(NoteLevel.Information, $"round {next}'s update, trained ahead from model {held.BaseHash[..12]}, is thrown away: " +
                $"this site voted model {aggregate.ModelHash[..12]} for round {aggregate.Round}");
            _heldAhead = null;
        }
        if (!TrainAhead || aggregate.Parameters is not { } parameters || next > Terms.Rounds || _trainingRound != 0 || _heldAhead is not null
            || Terms.SecureAggregation is not null || Terms.SecretSharing || _halted || _chain.IsOver
            || WouldPassBudget())
        {
            return;
        }
        _trainingAhead = (next, aggregate.ModelHash);
        Train(next, parameters);
    }

    /// <summary>An update trained ahead, once the round it was trained after is final: published when the chain
    /// finalized the model it was trained from, thrown away otherwise (the round is then trained from the final
    /// model). True while it still waits for that round.</summary>
    private bool ReleaseHeldAhead()
    {
        if (_heldAhead is not { } held)
        {
            return false;
        }
        var after = held.Update.Round - 1;
        if (_chain.LastFinalized is not { } final || final.Round < after)
        {
            return true;
        }
        _heldAhead = null;
        if (final.Round == after && final.ModelHash == held.BaseHash)
        {
            Publish(held.Update);
        }
        else
        {
            Note(NoteLevel.Information, $"round {held.Update.Round}'s update, trained ahead from model {held.BaseHash[..12]}, is thrown away: " +
                $"round {final.Round} finalized model {final.ModelHash[..12]}");
        }
        return false;
    }

    /// <summary>Whether training <paramref name="round"/> would take this site's ε past its budget; if so the site
    /// asks the chain (once) to end the task with the reason instead of training.</summary>
    private bool OverBudget(int round)
    {
        if (!WouldPassBudget() || _privacyPlan is not { } plan || _budget is not { } budget)
        {
            return false;
        }
        var after = plan.EpsilonAfter(_stepsSpent + plan.StepsPerRound);
        if (_refusedRound != round)
        {
            _refusedRound = round;
            var refusal = new BudgetRefused(round, _self, plan.EpsilonAfter(_stepsSpent), after, budget.Epsilon, plan.Delta);
            Note(NoteLevel.Warning, $"not training round {round}: {refusal.Reason}");
            Emit(new SubmitToChain(refusal));
        }
        return true;
    }

    /// <summary>Whether one more round would take this site's ε past its budget (false without a budget).</summary>
    private bool WouldPassBudget() =>
        _privacyPlan is { } plan && _budget is { } budget && plan.EpsilonAfter(_stepsSpent + plan.StepsPerRound) > budget.Epsilon;

    private void OnTrained(UpdateTrained trained)
    {
        _trainingRound = 0;
        Emit(new RoundTrained(trained.Round, trained.MeanLoss, trained.Elapsed, trained.TrainingTime));
        if (_trainingAhead is { } ahead && ahead.Round == trained.Round)
        {
            // Trained from this site's own aggregate: held until the chain finalizes the round before it.
            _trainingAhead = null;
            _heldAhead = (trained, ahead.BaseHash);
            Advance();
            return;
        }
        Publish(trained);
    }

    private void Publish(UpdateTrained trained)
    {
        if (trained.Round != _chain.CurrentRound || _chain.CurrentClosed is not null || _chain.HasPublished(_self))
        {
            Note(NoteLevel.Information, $"update for round {trained.Round} is late (the round closed without it)");
            Advance();
            return;
        }
        if (_privacyPlan is { } required && trained.DpSteps != required.StepsPerRound)
        {
            // The spec promises DP-SGD in every step: an update trained otherwise never leaves the site, and the
            // task ends with the reason rather than stalling or shipping it.
            var reason = $"site '{_self}' trained round {trained.Round} with {trained.DpSteps} DP-SGD steps where its privacy plan needs " +
                $"{required.StepsPerRound}: the update is not published (the trainer is not running the task's DP)";
            Note(NoteLevel.Warning, reason);
            _halted = true;
            if (!_chain.IsOver)
            {
                Emit(new SubmitToChain(new CancellationRequest(_self, reason)));
            }
            return;
        }
        if (Terms.SecureAggregation is not null || Terms.SecretSharing)
        {
            // Kept in memory until the chain fixes U2 (or every site's session key); it leaves the site only masked (or in shares).
            _pending = trained;
            Advance();
            return;
        }
        var update = trained.Update;
        Note(NoteLevel.Debug, $"publishing round {trained.Round}'s update {update.Hash[..12]} (trained in {trained.Elapsed.TotalSeconds:F2} s)");
        Emit(new StoreBlob(BlobKind.Update, update.Hash, update.Bytes));
        _heldUpdates.Add(update.Hash);
        _publishedRound = trained.Round;
        // The bytes leave the site here, so their DP-SGD steps count from now on, whatever the chain makes of them.
        PrivacyClaim? claim = null;
        if (_privacyPlan is { } plan)
        {
            _stepsSpent += plan.StepsPerRound;
            claim = plan.ClaimAfter(_stepsSpent);
            Note(NoteLevel.Information, $"round {trained.Round}: ε = {claim.Epsilon:G4} at δ = {claim.Delta:G3} after {claim.Steps} DP-SGD steps " +
                $"(q = {claim.SamplingRate:G4}, σ = {claim.NoiseMultiplier:G4})");
        }
        _offers.Add((trained.Round, _self, update.Hash));
        Emit(new OfferUpdate(trained.Round, update.Hash, [.. Terms.Sites.Where(s => s != _self)]));
        Emit(new SubmitToChain(new UpdatePublished(trained.Round, _self, update.Hash, update.SampleCount) { Privacy = claim }));
        // The last update of the quorum may be this one: the site holds every byte of the set already.
        Speculate(trained.Round);
    }

    private void OnAggregate(AggregateRecomputed aggregate)
    {
        var speculative = Speculating;
        _recomputing = false;
        if (speculative)
        {
            _speculation = _speculation is { } s && s.Round == aggregate.Round ? s with { Result = aggregate } : null;
            if (aggregate.Round == _chain.CurrentRound && _chain.CurrentClosed is null)
            {
                if (aggregate.Parameters is not null)
                {
                    Note(NoteLevel.Debug, $"round {aggregate.Round}'s aggregate computed before the close: model {aggregate.ModelHash[..12]}");
                    TrainAheadFrom(aggregate);
                }
                return;
            }
        }
        if (aggregate.Round != _chain.CurrentRound || _chain.CurrentClosed is not { } closed)
        {
            return;
        }
        if (_votingDigest != closed.UpdateSetDigest)
        {
            _votingRound = 0;
            Note(NoteLevel.Debug, $"round {aggregate.Round} closed again on another update set while its aggregate was recomputed; recomputing");
            StartDue(retry: false);
            return;
        }
        if (aggregate.Error is not null || aggregate.Parameters is null)
        {
            _votingRound = 0;
            Note(NoteLevel.Warning, $"cannot reproduce round {aggregate.Round}'s aggregate: {aggregate.Error}");
            return;
        }
        Vote(aggregate, closed);
    }

    /// <summary>Votes the site's own aggregate of <paramref name="closed"/>'s set, then trains the next round from it
    /// (<see cref="TrainAhead"/>).</summary>
    private void Vote(AggregateRecomputed aggregate, RoundClosed closed)
    {
        foreach (var refusal in aggregate.Refused)
        {
            Note(NoteLevel.Warning, $"round {aggregate.Round}: {refusal}; the aggregate leaves it out");
        }
        _ownAggregates[aggregate.Round] = aggregate;
        if (_speculation?.Round == aggregate.Round)
        {
            _speculation = null;
        }
        Note(NoteLevel.Debug, $"voting model {aggregate.ModelHash[..12]} for round {aggregate.Round}");
        Emit(new SubmitToChain(new AggregateVote(aggregate.Round, _self, closed.UpdateSetDigest, aggregate.AggregateHash, aggregate.ModelHash)));
        TrainAheadFrom(aggregate);
    }

    /// <summary>A peer's offer of its update for the open round, remembered for <see cref="Speculate"/> (which
    /// forgets the offers of past rounds).</summary>
    private void OnOffered(UpdateOffered offered)
    {
        if (offered.Site == _self || Terms.IndexOf(offered.Site) < 0 || offered.Round != _chain.CurrentRound || _chain.CurrentClosed is not null)
        {
            return;
        }
        _offers.Add((offered.Round, offered.Site, offered.Hash));
        Advance();
    }

    /// <summary>
    /// Training ahead, one step earlier (plain rounds): while the open round lacks one update of its quorum, the site
    /// holds the bytes of those it has, and exactly one site outside them has offered an update the site holds, the
    /// set the chain will close on is known unless something else happens first (a deadline, a refusal, another
    /// site's update). The site computes that set's aggregate now, beside the chain's ordering of the last update,
    /// and trains the next round from it. Nothing is trusted on the strength of the guess: the vote waits for the
    /// chain's close and goes out only for the set the chain closed on (computed again if the sets differ), and the
    /// update trained ahead leaves only if the chain finalizes exactly the model it was trained from
    /// (<see cref="ReleaseHeldAhead"/>). A wrong guess costs a computation, and at worst a round of training done
    /// twice.
    /// </summary>
    private void Speculate(int round)
    {
        _offers.RemoveWhere(o => o.Round < round);
        if (!TrainAhead || Terms.SecureAggregation is not null || Terms.SecretSharing || _trainingRound != 0 || _recomputing
            || _heldAhead is not null || _trainingAhead is not null || _speculation?.Round == round || _halted || _chain.IsOver
            || WouldPassBudget())
        {
            return;
        }
        var taken = _chain.CurrentUpdates;
        if (taken.Count != Terms.Quorum - 1 || !taken.All(u => _heldUpdates.Contains(u.Hash)))
        {
            return;
        }
        var outside = _offers.Where(o => o.Round == round && !_chain.IsDropped(o.Site) && taken.All(u => u.Site != o.Site)).ToList();
        if (outside.Count != 1 || !_heldUpdates.Contains(outside[0].Hash) || _chain.SamplesOf(outside[0].Site) is not { } samples)
        {
            return;
        }
        IReadOnlyList<UpdateRef> set = [.. taken, new UpdateRef(outside[0].Site, outside[0].Hash, samples)];
        _speculation = (round, TaskChain.UpdateSetDigest(set), null);
        _recomputing = true;
        Note(NoteLevel.Debug, $"computing round {round}'s aggregate before the close, with '{outside[0].Site}''s offered update as the last of the quorum");
        Emit(new RecomputeAggregate(round, _global!, set));
    }

    private void OnScored(ModelScored scored)
    {
        if (scored.OnValidation && _scoring.Remove(scored.Round))
        {
            Emit(new SubmitToChain(new ValidationReport(scored.Round, _self, scored.Metrics.Auc, scored.Metrics.Accuracy, scored.Count)));
        }
    }

    private void StartPersonalizing()
    {
        if (_personalizing)
        {
            return;
        }
        _personalizing = true;
        if (_spec.Personalization.Mode == "none" || _spec.Personalization.Epochs <= 0)
        {
            Finish(null);
            return;
        }
        Emit(new Personalize(_global!, _spec.Personalization.Epochs, _spec.Optimizer.LearningRate * 0.1));
    }

    private void Finish(PersonalizationDone? personalized)
    {
        if (_state is TaskState.Completed)
        {
            return;
        }
        _state = TaskState.Completed;
        _detail = personalized is null
            ? "completed"
            : $"completed; personalized test AUC {personalized.Personalized.Auc:F4} (global {personalized.Global.Auc:F4})";
        Note(NoteLevel.Information, $"{_detail}; final model {_globalHash}");
        Emit(new SiteEnded(TaskState.Completed, _detail, personalized));
    }

    private void OnTrainerFailed(TrainerFailed failed)
    {
        Note(NoteLevel.Warning, $"trainer failed to {failed.Work.ToString().ToLowerInvariant()} in round {failed.Round}: {failed.Reason}");
        switch (failed.Work)
        {
            case TrainerWork.Personalize:
                Finish(null);
                break;
            case TrainerWork.Score:
                // The report is optional: the round's model is final whatever its score.
                _scoring.Remove(failed.Round);
                break;
            default:
                _trainingRound = 0;
                _votingRound = 0;
                _recomputing = false;
                _speculation = null;
                _trainingAhead = null;
                break;
        }
    }

    private void OnDeadline(DeadlinePassed due)
    {
        if (Terms.SecretSharing)
        {
            OnSharedDeadline(due);
            return;
        }
        if (due.Round == _chain.CurrentRound && _chain.CurrentClosed is { } closed && !_chain.IsOver && !_chain.HasVoted(_self)
            && Terms.SecureAggregation is null)
        {
            var missing = closed.Included.Where(u => u.Site != _self && !_heldUpdates.Contains(u.Hash)).Select(u => u.Site).ToList();
            if (missing.Count > 0)
            {
                Note(NoteLevel.Warning, $"round {due.Round}: a deadline after it closed, still no one gives the updates of {string.Join(", ", missing)}; " +
                    "reporting them missing");
                Emit(new SubmitToChain(new UpdatesMissing(due.Round, _self, closed.UpdateSetDigest, missing)));
                Emit(new SetDeadline(due.Round, _spec.RoundDeadline));
            }
            return;
        }
        if (due.Round == _chain.CurrentRound && _chain.CurrentClosed is null && !_chain.IsOver)
        {
            Note(NoteLevel.Information, $"round {due.Round} deadline passed; asking the chain to close it");
            Emit(new SubmitToChain(new CloseRound(due.Round, _self)));
            // The round stays open without any update; ask again after another deadline.
            Emit(new SetDeadline(due.Round, _spec.RoundDeadline));
        }
    }

    /// <summary>Keeps blobs whose bytes match their name: an update by its SHA-256, a model by its digest (a site
    /// that lies about either is refused here, whatever the adapter checked).</summary>
    private void OnBlob(BlobArrived arrived)
    {
        if (arrived.From != _self && Terms.IndexOf(arrived.From) < 0)
        {
            return;
        }
        if (TakeImportedModel(arrived))
        {
            return;
        }
        switch (arrived.Kind)
        {
            case BlobKind.Update when RoundAggregate.HashOf(arrived.Bytes) == arrived.Hash:
                if (arrived.From != _self)
                {
                    Emit(new StoreBlob(BlobKind.Update, arrived.Hash, arrived.Bytes));
                }
                _heldUpdates.Add(arrived.Hash);
                KeepShared(arrived.Hash, arrived.Bytes);
                break;
            case BlobKind.Model when TryModel(arrived.Bytes, arrived.Hash) is { } model:
                if (arrived.From != _self)
                {
                    Emit(new StoreBlob(BlobKind.Model, arrived.Hash, arrived.Bytes));
                }
                if (arrived.Hash == (_chain.LastFinalized?.ModelHash ?? _initialHash) && _globalHash != arrived.Hash)
                {
                    Adopt(model, arrived.Hash);
                }
                break;
            default:
                Note(NoteLevel.Warning, $"'{arrived.From}' sent a {arrived.Kind} blob that does not match {arrived.Hash}");
                return;
        }
        _wanted.Remove((arrived.Kind, arrived.Hash));
        Advance();
    }

    private void Emit(SiteOutput output) => _outputs.Add(output);

    private void Note(NoteLevel level, string text) => Emit(new SiteNote(level, text));

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
}
