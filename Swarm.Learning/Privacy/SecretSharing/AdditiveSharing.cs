using System.Security.Cryptography;
using Swarm.Learning.Privacy.SecureAggregation;

namespace Swarm.Learning.Privacy.SecretSharing;

/// <summary>A seed for a share, sealed by <paramref name="Dealer"/> to <paramref name="Holder"/> (AES-256-GCM under a
/// key from X25519 between their session keys): what the dealer publishes so that only the holder can expand it.</summary>
public sealed record SealedSeed(int Dealer, int Holder, byte[] Ciphertext);

/// <summary>Why a session cannot produce the total: a share or a partial sum missing or unreadable, and the site
/// at fault when one is known.</summary>
public sealed class SecretSharingException(string message, int? culprit) : Exception(message)
{
    public int? Culprit { get; } = culprit;
}

/// <summary>
/// One site's side of additive secret-sharing aggregation for one session (a task's round), with no crypto provider
/// and no server: in the manner of the encrypted federated learning of Truhn et al. (Medical Image Analysis 2024),
/// whose sites split fixed-point updates into additive shares held by the other sites, but with the shares' random
/// parts agreed between pairs of sites instead of handed out by a separate crypto-provider worker.
///
/// A site u encodes its update as X_u over Z_2^64 (<see cref="FixedPointCodec"/>) and splits it into n shares that
/// sum to X_u: for every other site v the share PRG(s_uv) expanded from a fresh 32-byte seed s_uv, sealed to v; the
/// share u keeps is X_u − Σ_v PRG(s_uv). Every site then publishes only the sum of the shares it holds, H_v =
/// (v's kept share) + Σ_u PRG(s_uv), and the total is Σ_v H_v = Σ_u X_u. A coalition of all sites but u knows every
/// seed u dealt and H_u, so it learns X_u (as it would from the total and its own inputs anyway); any smaller
/// coalition misses at least one PRG(s_uw) term of u's kept share, which is uniform in Z_2^64 to it as long as
/// AES-256 in counter mode is a PRG. That is the computational version of additive sharing (pseudo-random secret
/// sharing): sending the n − 1 random shares in full would be information-theoretic but costs n − 1 vectors per
/// site per round; seeds cost 48 bytes per holder (docs/privacy.md has the numbers).
///
/// There is no recovery: a site that does not publish its partial sum fails the round (a missing site's shares of
/// everyone else's updates are lost with it); the dropout-tolerant mode is secure aggregation. The sites are trusted
/// to follow the protocol (honest but curious): a site can spoil the total with a wrong partial sum, which the
/// members' votes on the aggregate then show as disagreement only if the sites compute differently.
/// </summary>
public sealed class AdditiveSharing
{
    private readonly byte[] _privateKey;
    private readonly byte[] _sessionId;
    private readonly byte[] _entropy;

    /// <param name="self">This site's index in [0, <paramref name="siteCount"/>).</param>
    /// <param name="siteCount">n, the sites that share (at least 2).</param>
    /// <param name="sessionId">Binds keys and seeds to one task and round (at least 16 bytes, fixed on the chain).</param>
    /// <param name="entropy">32 bytes from the OS CSPRNG in a node (seeded only in tests); the session key and every
    /// seed are derived from it by HKDF, each for its own purpose.</param>
    public AdditiveSharing(int self, int siteCount, byte[] sessionId, ReadOnlySpan<byte> entropy)
    {
        if (siteCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(siteCount), siteCount, "secret sharing needs at least 2 sites");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(self);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(self, siteCount);
        if (sessionId.Length < 16)
        {
            throw new ArgumentException("a session id is at least 16 bytes", nameof(sessionId));
        }
        if (entropy.Length != SecAggCrypto.KeyBytes)
        {
            throw new ArgumentException($"entropy is {SecAggCrypto.KeyBytes} bytes", nameof(entropy));
        }
        Self = self;
        SiteCount = siteCount;
        _sessionId = (byte[])sessionId.Clone();
        _entropy = entropy.ToArray();
        _privateKey = Derive("swarm/secret-sharing/session-key", self);
        PublicKey = SecAggCrypto.PublicKeyOf(_privateKey);
    }

    public int Self { get; }

    public int SiteCount { get; }

    /// <summary>This session's X25519 public key, which the site publishes first (on the task's chain, under its
    /// signature) so that the others can seal seeds to it.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The seeds of this site's shares for every other site, each sealed to its holder.</summary>
    /// <param name="publicKeys">Every site's session public key, indexed by site.</param>
    public IReadOnlyList<SealedSeed> Deal(IReadOnlyList<byte[]> publicKeys)
    {
        CheckKeys(publicKeys);
        var sealedSeeds = new List<SealedSeed>(SiteCount - 1);
        foreach (var holder in Others())
        {
            var key = SecAggCrypto.SeedKey(_privateKey, publicKeys[holder], _sessionId, Self, holder)
                ?? throw new SecretSharingException($"site {holder}'s session key is not a usable X25519 key", holder);
            sealedSeeds.Add(new SealedSeed(Self, holder, SecAggCrypto.Seal(key, _sessionId, Self, holder, SeedFor(holder))));
        }
        return sealedSeeds;
    }

    /// <summary>The share of <paramref name="update"/> this site keeps: its encoding minus every dealt share.</summary>
    public ulong[] KeptShare(ReadOnlySpan<float> update, FixedPointCodec codec)
    {
        var kept = new ulong[update.Length];
        if (!codec.TryEncode(update, kept, out var bad))
        {
            throw new ArgumentException(
                $"update value {update[bad]} at index {bad} is not finite or exceeds the fixed-point range ±{codec.MaxAbsValue}", nameof(update));
        }
        foreach (var holder in Others())
        {
            MaskGenerator.Apply(kept, SeedFor(holder), -1);
        }
        return kept;
    }

    /// <summary>The sum of the shares this site holds, which it publishes: its kept share plus the share each other
    /// site dealt it, expanded from the seed that site sealed to it.</summary>
    /// <param name="keptShare">This site's <see cref="KeptShare"/>.</param>
    /// <param name="publicKeys">Every site's session public key, indexed by site.</param>
    /// <param name="sealedSeeds">The seeds the other sites published; those addressed to this site are used.</param>
    public ulong[] HeldSum(ulong[] keptShare, IReadOnlyList<byte[]> publicKeys, IEnumerable<SealedSeed> sealedSeeds)
    {
        CheckKeys(publicKeys);
        var addressed = new Dictionary<int, SealedSeed>();
        foreach (var seed in sealedSeeds.Where(s => s.Holder == Self))
        {
            if (seed.Dealer < 0 || seed.Dealer >= SiteCount || seed.Dealer == Self)
            {
                throw new SecretSharingException($"a sealed seed names dealer {seed.Dealer}, not another site of {SiteCount}", null);
            }
            if (!addressed.TryAdd(seed.Dealer, seed))
            {
                throw new SecretSharingException($"site {seed.Dealer} sealed two seeds to site {Self}", seed.Dealer);
            }
        }
        var held = (ulong[])keptShare.Clone();
        foreach (var dealer in Others())
        {
            if (!addressed.TryGetValue(dealer, out var seed))
            {
                throw new SecretSharingException($"site {dealer} sent no share to site {Self}: the round cannot be summed", dealer);
            }
            AddShare(held, publicKeys, seed);
        }
        return held;
    }

    /// <summary>The share of <paramref name="seed"/>'s dealer's update that this site holds, expanded to
    /// <paramref name="length"/> values: all that this site alone learns of that update.</summary>
    public ulong[] ShareFrom(SealedSeed seed, IReadOnlyList<byte[]> publicKeys, int length)
    {
        CheckKeys(publicKeys);
        var share = new ulong[length];
        AddShare(share, publicKeys, seed);
        return share;
    }

    private void AddShare(ulong[] target, IReadOnlyList<byte[]> publicKeys, SealedSeed seed)
    {
        var dealer = seed.Dealer;
        if (seed.Holder != Self || dealer < 0 || dealer >= SiteCount || dealer == Self)
        {
            throw new SecretSharingException($"a seed from {dealer} to {seed.Holder} is not one site {Self} holds", null);
        }
        var key = SecAggCrypto.SeedKey(_privateKey, publicKeys[dealer], _sessionId, dealer, Self)
            ?? throw new SecretSharingException($"site {dealer}'s session key is not a usable X25519 key", dealer);
        var opened = SecAggCrypto.Open(key, _sessionId, dealer, Self, seed.Ciphertext, SecAggCrypto.KeyBytes)
            ?? throw new SecretSharingException($"the share site {dealer} sealed to site {Self} does not open (forged or damaged)", dealer);
        MaskGenerator.Apply(target, opened, 1);
    }

    /// <summary>The total Σ_u X_u from every site's published partial sum (all n are needed).</summary>
    public static ulong[] Total(IReadOnlyList<ulong[]?> heldSums)
    {
        var missing = Enumerable.Range(0, heldSums.Count).Where(i => heldSums[i] is null).ToList();
        if (missing.Count > 0)
        {
            throw new SecretSharingException(
                $"site(s) {string.Join(", ", missing)} published no partial sum: secret sharing has no recovery, the round fails", missing[0]);
        }
        var length = heldSums[0]!.Length;
        var total = new ulong[length];
        for (var site = 0; site < heldSums.Count; site++)
        {
            var held = heldSums[site]!;
            if (held.Length != length)
            {
                throw new SecretSharingException($"site {site}'s partial sum has {held.Length} values, site 0's has {length}", site);
            }
            for (var i = 0; i < length; i++)
            {
                total[i] = unchecked(total[i] + held[i]);
            }
        }
        return total;
    }

    /// <summary>The seed of the share this site deals to <paramref name="holder"/>.</summary>
    private byte[] SeedFor(int holder) => Derive("swarm/secret-sharing/share-seed", holder);

    private byte[] Derive(string purpose, int index)
    {
        var info = System.Text.Encoding.UTF8.GetBytes($"{purpose}/{index}");
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, _entropy, SecAggCrypto.KeyBytes, _sessionId, info);
    }

    private IEnumerable<int> Others() => Enumerable.Range(0, SiteCount).Where(site => site != Self);

    private void CheckKeys(IReadOnlyList<byte[]> publicKeys)
    {
        if (publicKeys.Count != SiteCount)
        {
            throw new SecretSharingException($"{publicKeys.Count} session keys for {SiteCount} sites", null);
        }
    }
}
