using System.Security.Cryptography;
using System.Text;
using Swarm.Consensus.Blocks;
using Swarm.Learning.Privacy.SecureAggregation;
using Swarm.Tasks.CrossChain;

namespace Swarm.Tasks;

/// <summary>The fixed terms of a task's chain: its id, the sites in replica order with their public keys, the
/// number of rounds, the k-of-n quorum and f, the Byzantine sites it tolerates (n ≥ 3f + 1).</summary>
public sealed record TaskChainTerms(string ChainId, IReadOnlyList<string> Sites, IReadOnlyList<byte[]> PublicKeys, int Rounds,
    int Quorum, int F)
{
    /// <summary>Matching aggregate votes that finalize a round: ⌈(n + f + 1) / 2⌉, which is 2f + 1 when n = 3f + 1,
    /// so any two finalizing sets share an honest site and f liars can never finalize a hash on their own.</summary>
    public int VotesToFinalize => (Sites.Count + F + 2) / 2;

    /// <summary>Deadline notices that close a round early: f + 1, so at least one comes from an honest site whose
    /// own deadline passed.</summary>
    public int NoticesToClose => F + 1;

    /// <summary>The most training samples (FedAvg weight) a site's update may declare; 0: no bound.</summary>
    public long SampleCountMax { get; init; }

    /// <summary>Whether the sites' sample counts are the ones they declared at consent: the first valid
    /// <see cref="SamplesDeclared"/> record fixes them all, and every update before it, or with another count, is
    /// refused. Set by <see cref="TaskGenesis"/> for round tasks. Without it (a chain started before declarations
    /// existed, <c>swarm simulate</c>'s in-process swarm) a site's first committed update fixes its count.</summary>
    public bool SamplesDeclaredAtConsent { get; init; }

    /// <summary>In a local-DP task, what every replica checks a site's privacy claim against; null without DP.</summary>
    public ChainPrivacyTerms? Privacy { get; init; }

    /// <summary>In a task with secure aggregation, its threshold t; null when updates travel in the clear.</summary>
    public ChainSecAggTerms? SecureAggregation { get; init; }

    /// <summary>Whether every round sums the updates by additive secret sharing (<see cref="SharingRecord"/>).</summary>
    public bool SecretSharing { get; init; }

    /// <summary>The source chain the task's spec imports from (<see cref="TaskSpec.Transfer"/>); an import request
    /// naming another source is refused. Null: the spec imports nothing, and the chain takes an import from anywhere
    /// the request names (what the pure cross-chain tests exercise).</summary>
    public SourceAnchor? TransferSource { get; init; }

    public int IndexOf(string site)
    {
        for (var i = 0; i < Sites.Count; i++)
        {
            if (Sites[i] == site)
            {
                return i;
            }
        }
        return -1;
    }
}

/// <summary>The spec's DP-SGD terms a replica needs to recompute a site's ε: σ, δ, the expected batch (q = batch /
/// the site's sample count) and the local epochs per round.</summary>
public sealed record ChainPrivacyTerms(double NoiseMultiplier, double Delta, int ExpectedBatch, int LocalEpochs)
{
    /// <summary>Under Dopamine: m, the fewest updates a round may close with, each site's noise being σ/√m
    /// (<see cref="DopamineTerms"/>); a round is one DP-SGD step. 0 under local DP.</summary>
    public int NoiseShares { get; init; }

    /// <summary>The DP-SGD steps a site takes in a round at sampling rate <paramref name="samplingRate"/>.</summary>
    public int StepsPerRound(double samplingRate) => NoiseShares > 0 ? 1 : SitePrivacyPlan.StepsPerRoundOf(samplingRate, LocalEpochs);
}

/// <summary>Secure aggregation's terms on the chain: <paramref name="Threshold"/> t, the shares that rebuild a secret
/// and so the fewest sites a phase may close with and the fewest survivors whose sum can be unmasked.</summary>
public sealed record ChainSecAggTerms(int Threshold)
{
    /// <summary>t = ⌊2n/3⌋ + 1: more than two thirds, which Bonawitz et al. (§6.3) need once the party that
    /// collects the masked inputs may lie; in the swarm that party is every site. n = 4 gives 3, n = 7 gives 5.</summary>
    public static int ThresholdFor(int sites) => (2 * sites / 3) + 1;
}

/// <summary>The phases of one round's secure aggregation as the chain fixed them: every site steps its participant
/// and the aggregator from these same sets.</summary>
public sealed class SecAggRecord
{
    internal List<AdvertiseKeys> KeysList { get; } = [];
    internal List<ShareKeys> SharesList { get; } = [];
    internal List<UnmaskResponse> ResponsesList { get; } = [];
    internal HashSet<string> KeyNotices { get; } = new(StringComparer.Ordinal);
    internal HashSet<string> ShareNotices { get; } = new(StringComparer.Ordinal);

    /// <summary>U1's key advertisements in commit order (final once <see cref="KeysClosed"/>).</summary>
    public IReadOnlyList<AdvertiseKeys> Keys => KeysList;

    public bool KeysClosed { get; internal set; }

    /// <summary>U2's share messages in commit order (final once <see cref="SharesClosed"/>).</summary>
    public IReadOnlyList<ShareKeys> Shares => SharesList;

    public bool SharesClosed { get; internal set; }

    /// <summary>Survivors' unmask responses in commit order (grows until the round is final).</summary>
    public IReadOnlyList<UnmaskResponse> Responses => ResponsesList;

    public bool HasKeys(int site) => KeysList.Any(k => k.Sender == site);

    public bool HasShares(int site) => SharesList.Any(k => k.Sender == site);

    public bool HasResponded(int site) => ResponsesList.Any(k => k.Sender == site);
}

/// <summary>A secure-aggregation phase of <paramref name="Round"/> closed: its message set is fixed.</summary>
public sealed record SecAggPhaseClosed(int Round, string Phase, int Count, long Height) : TaskChainEvent;

/// <summary>The privacy a site's update of a round spent, as the chain checked and recorded it.</summary>
public sealed record PrivacyRecorded(int Round, string Site, PrivacyClaim Claim, long Height) : TaskChainEvent;

/// <summary>An update a round includes: whose it is, its SHA-256 and its FedAvg weight.</summary>
public sealed record UpdateRef(string Site, string Hash, long SampleCount);

/// <summary>A round as the chain decided it: the updates it included, the aggregate and model digests that at
/// least <see cref="TaskChainTerms.VotesToFinalize"/> sites reproduced, who agreed, who voted otherwise
/// (outvoted), and the block that finalized it.</summary>
public sealed record FinalizedRound(int Round, IReadOnlyList<UpdateRef> Included, string UpdateSetDigest, string AggregateHash,
    string ModelHash, IReadOnlyList<string> Agreeing, IReadOnlyList<string> Outvoted, long Height);

/// <summary>A site's validation score of a final round's model, as the chain recorded it.</summary>
public sealed record ValidationReported(ValidationReport Report, long Height) : TaskChainEvent;

/// <summary>What applying a committed request changed.</summary>
public abstract record TaskChainEvent;

/// <summary>Round <paramref name="Round"/> has its update set; every site now recomputes the aggregate.</summary>
public sealed record RoundClosed(int Round, IReadOnlyList<UpdateRef> Included, string UpdateSetDigest, long Height) : TaskChainEvent;

public sealed record RoundFinalized(FinalizedRound Round) : TaskChainEvent;

/// <summary>f + 1 sites could not get these sites' included updates: the round dropped them and is open again (or
/// closed again at once, with a <see cref="RoundClosed"/> after this event).</summary>
public sealed record UpdatesDropped(int Round, IReadOnlyList<string> Sites, long Height) : TaskChainEvent;

/// <summary>A vote that arrived after its round was final and disagreed with it.</summary>
public sealed record VoteOutvoted(int Round, string Site, string ModelHash) : TaskChainEvent;

public sealed record TaskCompleted(FinalizedRound LastRound) : TaskChainEvent;

public sealed record TaskCancelled(string Site, string Reason, long Height) : TaskChainEvent
{
    /// <summary>Set when the task ended because a site's next round would have exceeded its privacy budget.</summary>
    public BudgetRefused? Budget { get; init; }
}

/// <summary>The chain recorded every site's sample count as declared at consent (<paramref name="Site"/> submitted
/// the record): from now on each site's updates must carry exactly its count.</summary>
public sealed record SamplesFixed(string Site, IReadOnlyDictionary<string, long> Counts, long Height) : TaskChainEvent;

/// <summary>A site announced that it restarted (it claimed round <paramref name="Round"/>).</summary>
public sealed record SiteRejoinedChain(string Site, int Round, long Height) : TaskChainEvent;

/// <summary>A committed request the chain did not apply, and why (a forged signature, a stale round, a repeat).</summary>
public sealed record RequestIgnored(string ClientId, string Reason) : TaskChainEvent;

/// <summary>
/// The task's application state, rebuilt by applying committed client requests in chain order: which updates each
/// round includes, when a round closes (k-of-n updates, or f + 1 deadline notices), and which aggregate is final
/// (enough matching votes). Pure and deterministic, like the PBFT core: every site that applies the same blocks
/// reaches the same state, which is what lets a restarted site rebuild it from its ledger.
/// </summary>
public sealed class TaskChain
{
    private readonly TaskChainTerms _terms;
    private readonly ISignatureVerifier _verifier;
    private readonly Dictionary<int, RoundState> _rounds = [];
    private readonly List<FinalizedRound> _finalized = [];
    private readonly Dictionary<int, Dictionary<string, ValidationReport>> _reports = [];
    private readonly Dictionary<string, long> _lastRequest = new(StringComparer.Ordinal);
    private readonly Dictionary<int, Dictionary<string, PrivacyClaim>> _privacy = [];
    private readonly Dictionary<string, PrivacyClaim> _spent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _samples = new(StringComparer.Ordinal);

    /// <summary>How far a claimed ε may be from the replica's own recomputation, relative to ε (at least 1): room for
    /// the last bits of libm differing between machines, far below anything a budget could notice.</summary>
    public const double EpsilonToleranceRelative = 1e-9;

    public TaskChain(TaskChainTerms terms, ISignatureVerifier verifier)
    {
        _terms = terms;
        _verifier = verifier;
        CurrentRound = 1;
        Imports = new ChainImports(terms, verifier);
    }

    /// <summary>Models imported from other chains, each recorded only after every replica verified its proof.</summary>
    public ChainImports Imports { get; }

    public TaskChainTerms Terms => _terms;

    /// <summary>The round being trained or voted on; Rounds + 1 once the task is complete.</summary>
    public int CurrentRound { get; private set; }

    public bool IsComplete => CurrentRound > _terms.Rounds;

    public TaskCancelled? Cancellation { get; private set; }

    public bool IsOver => IsComplete || Cancellation is not null;

    public IReadOnlyList<FinalizedRound> Finalized => _finalized;

    public FinalizedRound? LastFinalized => _finalized.Count == 0 ? null : _finalized[^1];

    public long Height { get; private set; }

    /// <summary>The current round's closed update set, when it is closed.</summary>
    public RoundClosed? CurrentClosed => _rounds.TryGetValue(CurrentRound, out var state) ? state.Closed : null;

    /// <summary>The updates the current round has taken so far, in commit order (while it is open: the first part of
    /// the set it will close on).</summary>
    public IReadOnlyList<UpdateRef> CurrentUpdates => _rounds.TryGetValue(CurrentRound, out var state) ? state.Updates : [];

    /// <summary>Whether the current round dropped <paramref name="site"/>'s update as unavailable (it takes no other
    /// update of that site).</summary>
    public bool IsDropped(string site) => _rounds.TryGetValue(CurrentRound, out var state) && state.Dropped.Contains(site);

    /// <summary>Whether <paramref name="site"/> has an update recorded for the current round.</summary>
    public bool HasPublished(string site) => CurrentUpdates.Any(u => u.Site == site);

    /// <summary>The current round's secure-aggregation record (empty in a task without it).</summary>
    public SecAggRecord CurrentSecAgg => RoundOf(CurrentRound).SecAgg;

    /// <summary>The secret-sharing record of <paramref name="round"/> (empty in a task without it).</summary>
    public SharingRecord SharingOf(int round) => _rounds.TryGetValue(round, out var state) ? state.Sharing : new SharingRecord();

    /// <summary>Whether <paramref name="site"/> has voted on the current round.</summary>
    public bool HasVoted(string site) => _rounds.TryGetValue(CurrentRound, out var state) && state.Votes.ContainsKey(site);

    /// <summary>Rebuilds a chain's state from its committed blocks (a ledger), executing each request the way the
    /// replica did: a client's request runs only if its id is above the last one run for that client.</summary>
    public static TaskChain Replay(TaskChainTerms terms, ISignatureVerifier verifier, IEnumerable<CertifiedBlock> blocks)
    {
        var chain = new TaskChain(terms, verifier);
        foreach (var certified in blocks)
        {
            var executed = new List<ClientRequest>();
            foreach (var request in certified.Block.Requests)
            {
                if (request.RunsAfter(chain._lastRequest))
                {
                    chain._lastRequest[request.ClientId] = request.RequestId;
                    executed.Add(request);
                }
            }
            chain.Apply(certified.Block.Height, executed);
        }
        return chain;
    }

    /// <summary>The id of the last request of <paramref name="clientId"/> this chain applied; -1 when none.</summary>
    public long LastRequestOf(string clientId) => _lastRequest.GetValueOrDefault(clientId, -1);

    /// <summary>Applies the requests a committed block executed, in order.</summary>
    public IReadOnlyList<TaskChainEvent> Apply(long height, IReadOnlyList<ClientRequest> executed)
    {
        Height = Math.Max(Height, height);
        var events = new List<TaskChainEvent>();
        foreach (var request in executed)
        {
            _lastRequest[request.ClientId] = request.RequestId;
            Apply(height, request, events);
        }
        return events;
    }

    private void Apply(long height, ClientRequest request, List<TaskChainEvent> events)
    {
        if (ModelImportRequest.Carries(request.Payload))
        {
            events.Add(Imports.Apply(height, request));
            return;
        }
        if (TaskRequest.TryDecode(request.Payload, out var body, out var signature, out var problem) is not { } decoded)
        {
            events.Add(new RequestIgnored(request.ClientId, problem));
            return;
        }
        var index = _terms.IndexOf(decoded.Site);
        if (index < 0 || decoded.Site != request.ClientId)
        {
            events.Add(new RequestIgnored(request.ClientId, $"request names site '{decoded.Site}', which is not the client or not a participant"));
            return;
        }
        if (!_verifier.Verify(_terms.PublicKeys[index], SignedPayload.SigningBytes(_terms.ChainId, body), signature))
        {
            events.Add(new RequestIgnored(request.ClientId, $"bad signature on a {decoded.GetType().Name} of site '{decoded.Site}'"));
            return;
        }
        if (decoded is SiteRejoined rejoined)
        {
            events.Add(new SiteRejoinedChain(rejoined.Site, rejoined.Round, height));
            return;
        }
        if (IsOver && !(decoded is ValidationReport && Cancellation is null))
        {
            events.Add(new RequestIgnored(request.ClientId, "the task is over"));
            return;
        }
        switch (decoded)
        {
            case CancellationRequest cancel:
                Cancellation = new TaskCancelled(cancel.Site, cancel.Reason, height);
                events.Add(Cancellation);
                return;
            case SamplesDeclared declared:
                OnSamplesDeclared(declared, height, events);
                return;
            case BudgetRefused refused when refused.Round == CurrentRound:
                Cancellation = new TaskCancelled(refused.Site, refused.Reason, height) { Budget = refused };
                events.Add(Cancellation);
                return;
            case ValidationReport report:
                OnReport(report, height, events);
                return;
            case { Round: var round } when round != CurrentRound:
                if (decoded is AggregateVote late && _finalized.FirstOrDefault(f => f.Round == late.Round) is { } final
                    && late.ModelHash != final.ModelHash)
                {
                    events.Add(new VoteOutvoted(late.Round, late.Site, late.ModelHash));
                    return;
                }
                events.Add(new RequestIgnored(request.ClientId, $"{decoded.GetType().Name} for round {round}; the chain is at round {CurrentRound}"));
                return;
        }
        var state = RoundOf(CurrentRound);
        switch (decoded)
        {
            case UpdatePublished update when state.Dropped.Contains(update.Site):
                events.Add(new RequestIgnored(request.ClientId, $"round {update.Round} dropped the update of '{update.Site}' as unavailable; it takes no other"));
                break;
            case UpdatePublished update when state.Closed is null && state.Updates.All(u => u.Site != update.Site):
                if (Accept(state, update, index, height, events))
                {
                    CloseIfDue(state, height, events);
                }
                break;
            case UpdatePublished update when state.Closed is not null && CanReopen && state.Updates.All(u => u.Site != update.Site)
                && state.Late.All(u => u.Site != update.Site):
                // Too late for the closed set; kept (unchecked until then) in case an included update is dropped.
                state.Late.Add(update);
                events.Add(new RequestIgnored(request.ClientId, $"update of '{update.Site}' after round {update.Round} closed; kept in case the round drops an update"));
                break;
            case UpdatesMissing missing:
                OnMissing(state, missing, height, events);
                break;
            case CloseRound close when state.Closed is null && _terms.SecureAggregation is not null && !state.SecAgg.SharesClosed:
                OnSecAggNotice(state, close.Site, height, events);
                break;
            case CloseRound close when state.Closed is null:
                state.Notices.Add(close.Site);
                if (state.Notices.Count >= _terms.NoticesToClose && state.Updates.Count >= UpdatesToClose)
                {
                    Close(state, height, events);
                }
                break;
            case SecAggKeysPublished keys when _terms.SecureAggregation is not null && !state.SecAgg.KeysClosed && !state.SecAgg.HasKeys(index):
                state.SecAgg.KeysList.Add(new AdvertiseKeys(index, keys.CipherPublicKey, keys.MaskPublicKey));
                if (state.SecAgg.KeysList.Count == _terms.Sites.Count)
                {
                    CloseKeys(state, height, events);
                }
                break;
            case SecAggSharesPublished shares when state.SecAgg.KeysClosed && !state.SecAgg.SharesClosed && state.SecAgg.HasKeys(index)
                && !state.SecAgg.HasShares(index):
                state.SecAgg.SharesList.Add(new ShareKeys(index, shares.SelfMaskCommitment, shares.Shares));
                if (state.SecAgg.SharesList.Count == state.SecAgg.KeysList.Count)
                {
                    CloseShares(state, height, events);
                }
                break;
            case SecAggUnmaskPublished unmask when state.Closed is { } closed && closed.Included.Any(u => u.Site == unmask.Site)
                && !state.SecAgg.HasResponded(index):
                state.SecAgg.ResponsesList.Add(new UnmaskResponse(index, unmask.SelfMaskShares, unmask.MaskKeyShares));
                break;
            case ShareKeyPublished or PartialSumPublished when _terms.SecretSharing && state.Sharing.Apply(_terms, decoded, index, state.Closed, height) is { } applied:
                events.Add(applied);
                break;
            case AggregateVote vote when state.Closed is not null && !state.Votes.ContainsKey(vote.Site):
                if (vote.UpdateSetDigest != state.Closed.UpdateSetDigest)
                {
                    events.Add(new RequestIgnored(request.ClientId, $"vote of '{vote.Site}' is on another update set than round {vote.Round} closed with"));
                    return;
                }
                state.Votes[vote.Site] = vote;
                TryFinalize(state, height, events);
                break;
            default:
                events.Add(new RequestIgnored(request.ClientId, $"{decoded.GetType().Name} of '{decoded.Site}' does not apply to round {CurrentRound} now"));
                break;
        }
    }

    /// <summary>Updates a round needs before deadline notices may close it: one in the clear; under secure aggregation
    /// t, for fewer survivors could not be unmasked (and their sum would say too much about each).</summary>
    /// <remarks>Under Dopamine never fewer than m: the revealed sum must carry the noise of m sites.</remarks>
    private int UpdatesToClose => Math.Max(_terms.SecureAggregation?.Threshold ?? 1, _terms.Privacy?.NoiseShares ?? 0);

    /// <summary>A deadline notice while secure aggregation's keys or shares phase is open counts for that phase:
    /// f + 1 notices close it with what it has, if that is at least t (under Dopamine m, when larger).</summary>
    private void OnSecAggNotice(RoundState state, string site, long height, List<TaskChainEvent> events)
    {
        var record = state.SecAgg;
        if (!record.KeysClosed)
        {
            record.KeyNotices.Add(site);
            if (record.KeyNotices.Count >= _terms.NoticesToClose && record.KeysList.Count >= UpdatesToClose)
            {
                CloseKeys(state, height, events);
            }
            return;
        }
        record.ShareNotices.Add(site);
        if (record.ShareNotices.Count >= _terms.NoticesToClose && record.SharesList.Count >= UpdatesToClose)
        {
            CloseShares(state, height, events);
        }
    }

    private static void CloseKeys(RoundState state, long height, List<TaskChainEvent> events)
    {
        state.SecAgg.KeysClosed = true;
        events.Add(new SecAggPhaseClosed(state.Round, "keys", state.SecAgg.KeysList.Count, height));
    }

    private static void CloseShares(RoundState state, long height, List<TaskChainEvent> events)
    {
        state.SecAgg.SharesClosed = true;
        events.Add(new SecAggPhaseClosed(state.Round, "shares", state.SecAgg.SharesList.Count, height));
    }

    /// <summary>Under secure aggregation an update is a masked vector, which counts only from a site in U2 (it dealt
    /// shares, so its masks can be removed) once U2 is fixed.</summary>
    private string? CheckMasked(RoundState state, int index)
    {
        if (_terms.SecureAggregation is null)
        {
            return null;
        }
        return state.SecAgg.SharesClosed && state.SecAgg.HasShares(index)
            ? null
            : $"masked update of '{_terms.Sites[index]}' for round {state.Round} before the shares phase closed or from a site that dealt no shares";
    }

    /// <summary>Records an update that passed every check (false, with the reason as an event, when one refused it).</summary>
    private bool Accept(RoundState state, UpdatePublished update, int index, long height, List<TaskChainEvent> events)
    {
        if ((CheckSamples(update) ?? CheckPrivacy(update) ?? CheckMasked(state, index) ?? state.Sharing.CheckDealt(_terms, index)) is { } refusal)
        {
            events.Add(new RequestIgnored(update.Site, refusal));
            return false;
        }
        _samples.TryAdd(update.Site, update.SampleCount);
        if (update.Privacy is { } claim)
        {
            RecordPrivacy(update.Round, update.Site, claim);
            events.Add(new PrivacyRecorded(update.Round, update.Site, claim, height));
        }
        // The FedAvg weight is the count fixed for the task (CheckSamples let only that count through).
        state.Updates.Add(new UpdateRef(update.Site, update.UpdateHash, _samples[update.Site]));
        return true;
    }

    private void CloseIfDue(RoundState state, long height, List<TaskChainEvent> events)
    {
        if (state.Updates.Count >= _terms.Quorum || (state.Notices.Count >= _terms.NoticesToClose && state.Updates.Count >= UpdatesToClose)
            || (_terms.SecureAggregation is not null && state.Updates.Count == state.SecAgg.Shares.Count))
        {
            Close(state, height, events);
        }
    }

    /// <summary>Whether a closed round may drop an unavailable update and close again: plain rounds only. Under secure
    /// aggregation the unmask responses answer for one fixed survivor set, and under secret sharing the partial sums
    /// add one fixed set of shares, so a changed set would need those phases again (not built: such a round stalls
    /// on a withheld blob, docs/secure-aggregation.md).</summary>
    private bool CanReopen => _terms.SecureAggregation is null && !_terms.SecretSharing;

    /// <summary>A site still lacks included updates a deadline after the round closed. f + 1 reports naming the same
    /// update mean at least one honest site could not get its bytes from anyone: the chain drops it (its site takes
    /// no other update this round), forgets the votes on the old set, adds the updates that came too late for it
    /// (in commit order, checked now) and closes again: the reporters count as deadline notices, as each waited one
    /// out. Fewer than f + 1 (a liar alone) change nothing.</summary>
    private void OnMissing(RoundState state, UpdatesMissing missing, long height, List<TaskChainEvent> events)
    {
        if (!CanReopen)
        {
            events.Add(new RequestIgnored(missing.Site, "an unavailable update cannot be dropped from a round under secure aggregation or secret sharing"));
            return;
        }
        if (state.Closed is not { } closed)
        {
            events.Add(new RequestIgnored(missing.Site, $"missing-update report of '{missing.Site}' for round {missing.Round}, which is open"));
            return;
        }
        if (missing.UpdateSetDigest != closed.UpdateSetDigest)
        {
            events.Add(new RequestIgnored(missing.Site, $"missing-update report of '{missing.Site}' is on another update set than round {missing.Round} closed with"));
            return;
        }
        foreach (var site in missing.Sites.Distinct())
        {
            if (site != missing.Site && closed.Included.Any(u => u.Site == site))
            {
                state.MissingReports.TryAdd(site, []);
                state.MissingReports[site].Add(missing.Site);
            }
        }
        var dropped = closed.Included.Where(u => state.MissingReports.GetValueOrDefault(u.Site)?.Count >= _terms.NoticesToClose)
            .Select(u => u.Site).ToList();
        if (dropped.Count == 0)
        {
            return;
        }
        foreach (var site in dropped)
        {
            state.Notices.UnionWith(state.MissingReports[site]);
            state.Dropped.Add(site);
        }
        state.Updates.RemoveAll(u => state.Dropped.Contains(u.Site));
        state.Closed = null;
        state.Votes.Clear();
        state.MissingReports.Clear();
        events.Add(new UpdatesDropped(state.Round, dropped, height));
        var late = state.Late.ToList();
        state.Late.Clear();
        foreach (var update in late)
        {
            if (state.Updates.Count < _terms.Quorum && !state.Dropped.Contains(update.Site))
            {
                Accept(state, update, _terms.IndexOf(update.Site), height, events);
            }
        }
        CloseIfDue(state, height, events);
    }

    private void Close(RoundState state, long height, List<TaskChainEvent> events)
    {
        IReadOnlyList<UpdateRef> included = [.. state.Updates];
        state.Closed = new RoundClosed(state.Round, included, UpdateSetDigest(included), height);
        events.Add(state.Closed);
    }

    private void TryFinalize(RoundState state, long height, List<TaskChainEvent> events)
    {
        var winner = state.Votes.Values.GroupBy(v => (v.AggregateHash, v.ModelHash))
            .FirstOrDefault(g => g.Count() >= _terms.VotesToFinalize);
        if (winner is null)
        {
            return;
        }
        var agreeing = winner.OrderBy(v => _terms.IndexOf(v.Site)).ToList();
        var outvoted = state.Votes.Values.Where(v => v.ModelHash != winner.Key.ModelHash || v.AggregateHash != winner.Key.AggregateHash)
            .Select(v => v.Site).OrderBy(_terms.IndexOf).ToList();
        var closed = state.Closed!;
        var final = new FinalizedRound(state.Round, closed.Included, closed.UpdateSetDigest, winner.Key.AggregateHash,
            winner.Key.ModelHash, [.. agreeing.Select(v => v.Site)], outvoted, height);
        _finalized.Add(final);
        events.Add(new RoundFinalized(final));
        CurrentRound++;
        if (IsComplete)
        {
            events.Add(new TaskCompleted(final));
        }
    }

    /// <summary>The privacy claims the chain recorded for <paramref name="round"/>'s updates, by site.</summary>
    public IReadOnlyDictionary<string, PrivacyClaim> PrivacyOf(int round) =>
        _privacy.TryGetValue(round, out var claims) ? claims : new Dictionary<string, PrivacyClaim>();

    /// <summary>The last privacy claim the chain recorded for <paramref name="site"/> (its ε spent so far); null
    /// when none.</summary>
    public PrivacyClaim? SpentBy(string site) => _spent.GetValueOrDefault(site);

    /// <summary>The training sample count (FedAvg weight) of <paramref name="site"/>, fixed for the task: declared at
    /// consent (<see cref="TaskChainTerms.SamplesDeclaredAtConsent"/>, once the record is on the chain) or with the
    /// site's first update; null before that.</summary>
    public long? SamplesOf(string site) => _samples.TryGetValue(site, out var count) ? count : null;

    /// <summary>The height of the record that fixed the counts declared at consent; null before it (or in a chain
    /// that fixes them by first update).</summary>
    public long? SamplesFixedAt { get; private set; }

    /// <summary>The first valid record fixes every site's count; each declaration must be the member's own (its
    /// genesis key), for this chain, and within the bounds, and the record must hold one for every site in site order.
    /// A record after that is ignored, so no site can change the weights once they are fixed.</summary>
    private void OnSamplesDeclared(SamplesDeclared declared, long height, List<TaskChainEvent> events)
    {
        if (!_terms.SamplesDeclaredAtConsent)
        {
            events.Add(new RequestIgnored(declared.Site, "sample declarations on a chain that fixes each site's count by its first update"));
            return;
        }
        if (SamplesFixedAt is { } fixedAt)
        {
            events.Add(new RequestIgnored(declared.Site, $"sample counts were already fixed at height {fixedAt}; the record of '{declared.Site}' is ignored"));
            return;
        }
        if (DeclarationsProblem(declared.Declarations) is { } problem)
        {
            events.Add(new RequestIgnored(declared.Site, $"sample declarations submitted by '{declared.Site}' refused: {problem}"));
            return;
        }
        foreach (var declaration in declared.Declarations)
        {
            _samples[declaration.Site] = declaration.SampleCount;
        }
        SamplesFixedAt = height;
        events.Add(new SamplesFixed(declared.Site, new Dictionary<string, long>(_samples, StringComparer.Ordinal), height));
    }

    private string? DeclarationsProblem(IReadOnlyList<SampleDeclaration> declarations)
    {
        if (declarations.Count != _terms.Sites.Count)
        {
            return $"{declarations.Count} declarations for {_terms.Sites.Count} sites";
        }
        var taskId = TransferSpec.TaskIdOf(_terms.ChainId) ?? _terms.ChainId;
        for (var i = 0; i < declarations.Count; i++)
        {
            if (declarations[i].Problem(_terms.ChainId, taskId, _terms.Sites[i], _terms.SampleCountMax, _terms.PublicKeys[i], _verifier) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    /// <summary>Null when the update's sample count is acceptable: positive, within the spec's bound, and the same
    /// as the site's count fixed for the task (declared at consent, or else with its first update). A site therefore
    /// cannot raise its FedAvg weight from round to round, nor beyond the bound every participant agreed to.</summary>
    private string? CheckSamples(UpdatePublished update)
    {
        var who = $"update of '{update.Site}' for round {update.Round}";
        if (_terms.SamplesDeclaredAtConsent)
        {
            if (SamplesFixedAt is null)
            {
                return $"{who} comes before the chain recorded the sample counts declared at consent";
            }
            return update.SampleCount == _samples[update.Site]
                ? null
                : $"{who} declares {update.SampleCount} training samples; the site declared {_samples[update.Site]} at consent, fixed for the task";
        }
        if (update.SampleCount < 1)
        {
            return $"{who} declares {update.SampleCount} training samples; at least 1 is needed";
        }
        if (_terms.SampleCountMax > 0 && update.SampleCount > _terms.SampleCountMax)
        {
            return $"{who} declares {update.SampleCount} training samples; the task allows at most {_terms.SampleCountMax} per site";
        }
        return _samples.TryGetValue(update.Site, out var declared) && declared != update.SampleCount
            ? $"{who} declares {update.SampleCount} training samples; the site declared {declared} with its first update, fixed for the task"
            : null;
    }

    /// <summary>Null when the update's privacy claim holds; otherwise why the update is refused. Under local DP the
    /// claim must use the spec's σ and δ, the q that the site's sample count gives, at least one more round of steps
    /// than the site's last recorded claim, and the ε the accountant gives for those parameters: so the ε on the
    /// chain is the accountant's and a site cannot under-report what it spent.</summary>
    private string? CheckPrivacy(UpdatePublished update)
    {
        var who = $"update of '{update.Site}' for round {update.Round}";
        if (_terms.Privacy is not { } terms)
        {
            return update.Privacy is null ? null : $"{who} carries a privacy claim, but the task runs no DP";
        }
        if (update.Privacy is not { } claim)
        {
            return $"{who} carries no privacy claim, but the task runs local DP";
        }
        var q = SitePrivacyPlan.SamplingRateOf(terms.ExpectedBatch, update.SampleCount);
        if (claim.NoiseMultiplier != terms.NoiseMultiplier || claim.Delta != terms.Delta || claim.SamplingRate != q)
        {
            return $"{who} claims q = {claim.SamplingRate}, σ = {claim.NoiseMultiplier}, δ = {claim.Delta}; the task gives " +
                $"q = {q} for {update.SampleCount} samples, σ = {terms.NoiseMultiplier}, δ = {terms.Delta}";
        }
        var least = (_spent.GetValueOrDefault(update.Site)?.Steps ?? 0) + terms.StepsPerRound(q);
        if (claim.Steps < least)
        {
            return $"{who} claims {claim.Steps} DP-SGD steps so far; its recorded steps and this round make at least {least}";
        }
        var epsilon = SitePrivacyPlan.EpsilonOf(q, terms.NoiseMultiplier, claim.Steps, terms.Delta);
        var close = claim.Epsilon == epsilon
            || Math.Abs(claim.Epsilon - epsilon) <= EpsilonToleranceRelative * Math.Max(1, Math.Abs(epsilon));
        return close ? null : $"{who} claims ε = {claim.Epsilon} after {claim.Steps} steps; the accountant gives {epsilon}";
    }

    private void RecordPrivacy(int round, string site, PrivacyClaim claim)
    {
        if (!_privacy.TryGetValue(round, out var claims))
        {
            _privacy[round] = claims = new Dictionary<string, PrivacyClaim>(StringComparer.Ordinal);
        }
        claims[site] = claim;
        _spent[site] = claim;
    }

    /// <summary>The validation scores sites reported for a final round, by site.</summary>
    public IReadOnlyDictionary<string, ValidationReport> ValidationOf(int round) =>
        _reports.TryGetValue(round, out var reports) ? reports : new Dictionary<string, ValidationReport>();

    private void OnReport(ValidationReport report, long height, List<TaskChainEvent> events)
    {
        if (report.Round < 1 || report.Round > _finalized.Count || report.Count < 0)
        {
            events.Add(new RequestIgnored(report.Site, $"validation report for round {report.Round}, which is not final"));
            return;
        }
        if (!_reports.TryGetValue(report.Round, out var reports))
        {
            _reports[report.Round] = reports = new Dictionary<string, ValidationReport>(StringComparer.Ordinal);
        }
        if (reports.TryAdd(report.Site, report))
        {
            events.Add(new ValidationReported(report, height));
        }
    }

    /// <summary>SHA-256 over the included updates in site order: what a vote names so that it cannot be counted for
    /// another set.</summary>
    public static string UpdateSetDigest(IEnumerable<UpdateRef> included)
    {
        var text = new StringBuilder();
        foreach (var update in included.OrderBy(u => u.Site, StringComparer.Ordinal))
        {
            text.Append(update.Site).Append(' ').Append(update.Hash).Append(' ').Append(update.SampleCount).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private RoundState RoundOf(int round)
    {
        if (!_rounds.TryGetValue(round, out var state))
        {
            state = new RoundState(round);
            _rounds[round] = state;
        }
        return state;
    }

    private sealed class RoundState(int round)
    {
        public int Round { get; } = round;
        public List<UpdateRef> Updates { get; } = [];
        public HashSet<string> Notices { get; } = [];
        public Dictionary<string, AggregateVote> Votes { get; } = [];
        public RoundClosed? Closed { get; set; }

        /// <summary>Updates published after the round closed, in commit order (plain rounds).</summary>
        public List<UpdatePublished> Late { get; } = [];

        /// <summary>For the closed set: the sites that reported each included update missing, by its publisher.</summary>
        public Dictionary<string, HashSet<string>> MissingReports { get; } = [];

        /// <summary>Sites whose update the round dropped as unavailable.</summary>
        public HashSet<string> Dropped { get; } = [];
        public SecAggRecord SecAgg { get; } = new();
        public SharingRecord Sharing { get; } = new();
    }
}
