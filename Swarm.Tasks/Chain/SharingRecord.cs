namespace Swarm.Tasks;

/// <summary>A secret-sharing phase of <paramref name="Round"/> is complete: every site's session key
/// (<c>keys</c>) or every site's partial sum (<c>partial sums</c>) is on the chain.</summary>
public sealed record SharingPhaseComplete(int Round, string Phase, int Count, long Height) : TaskChainEvent;

/// <summary>
/// One round's secret sharing as the chain fixed it (docs/privacy.md, "Secret sharing in the rounds"): each site's
/// session key, then (as <see cref="UpdatePublished"/>) the hash of the blob with the shares it dealt, sealed to
/// their holders, then the hash of its partial sum. Every site reads the same keys and hashes from here.
/// </summary>
public sealed class SharingRecord
{
    private readonly SortedDictionary<int, byte[]> _keys = [];
    private readonly SortedDictionary<int, string> _sums = [];

    /// <summary>Session public keys by site index.</summary>
    public IReadOnlyDictionary<int, byte[]> Keys => _keys;

    /// <summary>Partial sums' blob hashes by site index.</summary>
    public IReadOnlyDictionary<int, string> PartialSums => _sums;

    public bool KeysComplete(TaskChainTerms terms) => _keys.Count == terms.Sites.Count;

    /// <summary>Null when site <paramref name="index"/> may deal now (its update names its dealt-shares blob): every
    /// site's key must be on the chain, or it could not have sealed a share to each.</summary>
    internal string? CheckDealt(TaskChainTerms terms, int index) =>
        !terms.SecretSharing || KeysComplete(terms)
            ? null
            : $"shares of '{terms.Sites[index]}' dealt before every site's session key was on the chain ({_keys.Count} of {terms.Sites.Count})";

    /// <summary>Records a key (while the round is open, once per site) or a partial sum (once the round closed, from a
    /// site it includes, once); returns the event, or null when the request does not apply now.</summary>
    internal TaskChainEvent? Apply(TaskChainTerms terms, TaskRequest request, int index, RoundClosed? closed, long height)
    {
        switch (request)
        {
            case ShareKeyPublished key when closed is null && !_keys.ContainsKey(index) && !KeysComplete(terms):
                _keys[index] = key.PublicKey;
                return KeysComplete(terms) ? new SharingPhaseComplete(key.Round, "keys", _keys.Count, height) : new SharingNoted(key.Round, key.Site, "key", height);
            case PartialSumPublished sum when closed is not null && closed.Included.Any(u => u.Site == sum.Site) && !_sums.ContainsKey(index):
                _sums[index] = sum.SumHash;
                return _sums.Count == closed.Included.Count
                    ? new SharingPhaseComplete(sum.Round, "partial sums", _sums.Count, height)
                    : new SharingNoted(sum.Round, sum.Site, "partial sum", height);
            default:
                return null;
        }
    }
}

/// <summary>The chain recorded a site's secret-sharing <paramref name="What"/> (its key or its partial sum).</summary>
public sealed record SharingNoted(int Round, string Site, string What, long Height) : TaskChainEvent;
