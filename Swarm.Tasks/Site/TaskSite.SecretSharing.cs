using Swarm.Learning.Privacy.SecretSharing;

namespace Swarm.Tasks;

/// <summary>
/// The round under additive secret sharing (docs/privacy.md, "Secret sharing in the rounds"): a fresh session key to
/// the chain and training at the round's start; once every site's key is on the chain and the training is done, the
/// site encodes w·Δ over Z_2^64, splits it into n shares and publishes the seeds of the n − 1 it deals, each sealed to
/// its holder (one blob, its hash on the chain as the update); once the round closed with every site, it sums the
/// share it kept and the n − 1 it holds and publishes that partial sum (blob, hash on the chain); once all n partial
/// sums are here it adds them, decodes, divides by Σ w and votes. No single update ever leaves a site readable. A site
/// missing anything fails the round with the reason and the site to blame: secret sharing has no recovery.
/// </summary>
public sealed partial class TaskSite
{
    private readonly Dictionary<string, byte[]> _sharedBlobs = new(StringComparer.Ordinal);
    private AdditiveSharing? _sharing;
    private int _sharedRound;
    private ulong[]? _keptShare;
    private bool _sumSent;

    private void StartDueShared(int round, bool retry)
    {
        var record = _chain.SharingOf(round);
        var me = Terms.IndexOf(_self);
        if (_sharedRound != round && !BeginShared(round, record, me))
        {
            return;
        }
        if (_chain.CurrentClosed is not { } closed)
        {
            if (!_chain.HasPublished(_self) && _trainingRound != round && _publishedRound != round && _pending?.Round != round
                && !OverBudget(round))
            {
                StartTraining(round);
            }
            if (_pending is { } pending && pending.Round == round && record.KeysComplete(Terms) && !_chain.HasPublished(_self))
            {
                Deal(round, pending, record);
            }
            return;
        }
        if (Absent(closed) is { Count: > 0 } absent)
        {
            FailShared(round, $"the round closed without the shares of {Names(absent)}, so no site can form its partial sum");
            return;
        }
        PublishHeldSum(round, closed, record, retry);
        VoteShared(round, closed, record, retry);
    }

    /// <summary>A new round (or the current one after a restart): the session rebuilt from the round's entropy (the
    /// node keeps it on disk before the key leaves) and its key sent once; false when the chain holds another key of
    /// this site, whose secrets are gone.</summary>
    private bool BeginShared(int round, SharingRecord record, int me)
    {
        _sharedRound = round;
        _sharing = new AdditiveSharing(me, Terms.Sites.Count, SharedRound.SessionId(Terms.ChainId, round), _secAggEntropy!(round));
        (_keptShare, _sumSent) = (null, false);
        _sharedBlobs.Clear();
        if (record.Keys.TryGetValue(me, out var recorded))
        {
            if (!recorded.AsSpan().SequenceEqual(_sharing.PublicKey))
            {
                FailShared(round, $"'{_self}' restarted and its session key on the chain is not the one its secrets give");
                return false;
            }
        }
        else if (!record.KeysComplete(Terms))
        {
            Emit(new SubmitToChain(new ShareKeyPublished(round, _self, _sharing.PublicKey)));
        }
        return true;
    }

    /// <summary>Splits the trained update: keeps one share, seals the seeds of the others to their holders, and
    /// publishes that blob as the site's update of the round.</summary>
    private void Deal(int round, UpdateTrained pending, SharingRecord record)
    {
        _pending = null;
        byte[] blob;
        try
        {
            _keptShare = _sharing!.KeptShare(SharedRound.Weighted(pending.Update.Bytes, pending.Update.SampleCount), SharedRound.Codec);
            blob = SharedRound.EncodeDealt(_sharing.Deal(KeysOf(record)));
        }
        catch (ArgumentException e)
        {
            FailShared(round, $"the update of '{_self}' cannot be encoded: {e.Message}");
            return;
        }
        catch (SecretSharingException e)
        {
            FailShared(round, Named(e));
            return;
        }
        var hash = RoundAggregate.HashOf(blob);
        Emit(new StoreBlob(BlobKind.Update, hash, blob));
        _heldUpdates.Add(hash);
        _sharedBlobs[hash] = blob;
        _publishedRound = round;
        PrivacyClaim? claim = null;
        if (_privacyPlan is { } plan)
        {
            _stepsSpent += plan.StepsPerRound;
            claim = plan.ClaimAfter(_stepsSpent);
        }
        Note(NoteLevel.Debug, $"round {round}: dealt {Terms.Sites.Count - 1} sealed shares ({blob.Length} bytes, {hash[..12]})");
        Emit(new OfferUpdate(round, hash, [.. Terms.Sites.Where(s => s != _self)]));
        Emit(new SubmitToChain(new UpdatePublished(round, _self, hash, pending.Update.SampleCount) { Privacy = claim }));
    }

    /// <summary>Once every other site's dealt blob is here: the sum of the shares this site holds, published.</summary>
    private void PublishHeldSum(int round, RoundClosed closed, SharingRecord record, bool retry)
    {
        if (_sumSent || record.PartialSums.ContainsKey(Terms.IndexOf(_self)))
        {
            return;
        }
        if (_keptShare is null)
        {
            FailShared(round, $"'{_self}' restarted after dealing its shares and lost the share it kept, so it cannot publish its partial sum");
            return;
        }
        var others = closed.Included.Where(u => u.Site != _self).ToList();
        var missing = others.Where(u => !_sharedBlobs.ContainsKey(u.Hash)).ToList();
        foreach (var update in missing)
        {
            Want(BlobKind.Update, update.Hash, [update.Site], retry);
        }
        if (missing.Count > 0)
        {
            return;
        }
        var seeds = new List<SealedSeed>();
        foreach (var update in others)
        {
            if (SharedRound.DecodeDealt(_sharedBlobs[update.Hash], Terms.IndexOf(update.Site)) is not { } dealt)
            {
                FailShared(round, $"the shares blob of '{update.Site}' ({update.Hash[..12]}) is not a dealt-shares blob");
                return;
            }
            seeds.AddRange(dealt);
        }
        ulong[] held;
        try
        {
            held = _sharing!.HeldSum(_keptShare, KeysOf(record), seeds);
        }
        catch (SecretSharingException e)
        {
            FailShared(round, Named(e));
            return;
        }
        _sumSent = true;
        var bytes = SecureRound.Encode(held);
        var hash = RoundAggregate.HashOf(bytes);
        Emit(new StoreBlob(BlobKind.Update, hash, bytes));
        _heldUpdates.Add(hash);
        _sharedBlobs[hash] = bytes;
        Note(NoteLevel.Debug, $"round {round}: publishing the partial sum {hash[..12]} of the {Terms.Sites.Count} shares held");
        Emit(new OfferUpdate(round, hash, [.. Terms.Sites.Where(s => s != _self)]));
        Emit(new SubmitToChain(new PartialSumPublished(round, _self, hash)));
    }

    /// <summary>Once every partial sum is on the chain and here: the aggregate, then the vote as in the other modes.</summary>
    private void VoteShared(int round, RoundClosed closed, SharingRecord record, bool retry)
    {
        if (_votingRound == round || _chain.HasVoted(_self) || record.PartialSums.Count < closed.Included.Count)
        {
            return;
        }
        var missing = record.PartialSums.Where(p => !_sharedBlobs.ContainsKey(p.Value)).ToList();
        foreach (var (site, hash) in missing)
        {
            Want(BlobKind.Update, hash, [Terms.Sites[site]], retry);
        }
        if (missing.Count > 0)
        {
            return;
        }
        var sums = new ulong[]?[Terms.Sites.Count];
        foreach (var (site, hash) in record.PartialSums)
        {
            if (SecureRound.Decode(_sharedBlobs[hash], _global!.Length) is not { } words)
            {
                FailShared(round, $"the partial sum of '{Terms.Sites[site]}' ({hash[..12]}) is not {_global.Length} 64-bit words");
                return;
            }
            sums[site] = words;
        }
        BeginVote(round, closed);
        var aggregate = SharedRound.Aggregate(_global!, sums, closed.Included.Sum(u => u.SampleCount));
        Note(NoteLevel.Debug, $"round {round}: the total of {sums.Length} partial sums gives model {aggregate.ModelHash[..12]}");
        OnAggregate(new AggregateRecomputed(round, aggregate.AggregateHash, aggregate.ModelHash, aggregate.Parameters));
    }

    /// <summary>Under secret sharing the round deadline ends the round's waiting: whoever has not done their part by
    /// then is named, and the round fails (the task ends with the reason on the chain).</summary>
    private void OnSharedDeadline(DeadlinePassed due)
    {
        if (due.Round != _chain.CurrentRound || _chain.IsOver || _halted)
        {
            return;
        }
        if (MissingShared(due.Round) is { } reason)
        {
            FailShared(due.Round, reason);
            return;
        }
        Emit(new SetDeadline(due.Round, _spec.RoundDeadline));
    }

    /// <summary>What the round still lacks and from whom; null when everything is on the chain and here.</summary>
    private string? MissingShared(int round)
    {
        var record = _chain.SharingOf(round);
        var sites = Enumerable.Range(0, Terms.Sites.Count);
        if (!record.KeysComplete(Terms))
        {
            return $"no session key from {Names(sites.Where(i => !record.Keys.ContainsKey(i)))} by the round deadline";
        }
        if (_chain.CurrentClosed is not { } closed)
        {
            return $"no shares dealt by {Names(sites.Where(i => !_chain.HasPublished(Terms.Sites[i])))} by the round deadline";
        }
        var undelivered = closed.Included.Where(u => u.Site != _self && !_sharedBlobs.ContainsKey(u.Hash)).Select(u => Terms.IndexOf(u.Site)).ToList();
        if (undelivered.Count > 0 && !_sumSent)
        {
            return $"the shares {Names(undelivered)} dealt never reached '{_self}' by the round deadline";
        }
        if (record.PartialSums.Count < closed.Included.Count)
        {
            return $"no partial sum from {Names(sites.Where(i => !record.PartialSums.ContainsKey(i)))} by the round deadline";
        }
        var unreached = record.PartialSums.Where(p => !_sharedBlobs.ContainsKey(p.Value)).Select(p => p.Key).ToList();
        return unreached.Count > 0 ? $"the partial sums of {Names(unreached)} never reached '{_self}' by the round deadline" : null;
    }

    private void FailShared(int round, string reason)
    {
        if (_halted)
        {
            return;
        }
        _halted = true;
        var text = $"secret sharing: round {round} failed: {reason} (no recovery; the dropout-tolerant mode is secure aggregation)";
        Note(NoteLevel.Warning, text);
        if (!_chain.IsOver)
        {
            Emit(new SubmitToChain(new CancellationRequest(_self, text)));
        }
    }

    /// <summary>Keeps the bytes of a verified blob for the round's sums (dealt shares, partial sums).</summary>
    private void KeepShared(string hash, byte[] bytes)
    {
        if (Terms.SecretSharing)
        {
            _sharedBlobs[hash] = bytes;
        }
    }

    private List<int> Absent(RoundClosed closed) =>
        [.. Enumerable.Range(0, Terms.Sites.Count).Where(i => closed.Included.All(u => u.Site != Terms.Sites[i]))];

    private List<byte[]> KeysOf(SharingRecord record) => [.. Enumerable.Range(0, Terms.Sites.Count).Select(i => record.Keys[i])];

    private string Names(IEnumerable<int> sites) => string.Join(", ", sites.Select(i => $"'{Terms.Sites[i]}'"));

    private string Named(SecretSharingException e) =>
        e.Culprit is { } culprit ? $"{e.Message} (site {culprit} is '{Terms.Sites[culprit]}')" : e.Message;

    private string SharedStatus()
    {
        if (!Terms.SecretSharing)
        {
            return "";
        }
        var record = _chain.SharingOf(_chain.CurrentRound);
        return $"; sharing round {_sharedRound}: keys {record.Keys.Count}, partial sums {record.PartialSums.Count}, " +
            $"kept share {(_keptShare is null ? "no" : "yes")}, sum sent {_sumSent}";
    }
}
