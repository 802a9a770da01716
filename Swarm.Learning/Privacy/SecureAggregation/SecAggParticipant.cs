using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Swarm.Learning.Privacy.SecureAggregation;

/// <summary>One site's side of secure aggregation (Bonawitz et al., CCS 2017, Figure 4, rounds 0–3; the
/// consistency-check round of §7 is left to the chain, which fixes one agreed unmask request). A pure state
/// machine: <see cref="Step"/> takes the agreed messages of the previous round and returns what to broadcast, or
/// rejections. No I/O, clock or randomness: all secrets (two X25519 private keys, the self-mask seed b and the
/// Shamir coefficients) are expanded from the entropy given to the constructor, which the caller draws from a
/// cryptographic source (tests draw it from a seed).</summary>
public sealed class SecAggParticipant
{
    private readonly SecAggParameters _parameters;
    private readonly NeighbourGraph _graph;
    private readonly byte[] _cipherKey;
    private readonly byte[] _maskKey;
    private readonly byte[] _selfMaskSeed;
    private readonly byte[] _coefficients;
    private readonly Dictionary<int, (byte[] MaskKeyShare, byte[] SelfMaskShare)> _held = [];
    private SortedDictionary<int, AdvertiseKeys> _advertised = [];
    private SortedDictionary<int, ShareKeys> _dealt = [];
    private Phase _phase = Phase.Created;
    private (UnmaskRequest Request, UnmaskResponse Response)? _answered;

    public SecAggParticipant(SecAggParameters parameters, int self, ReadOnlySpan<byte> entropy)
    {
        if (parameters.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(parameters));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(self);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(self, parameters.SiteCount);
        if (entropy.Length < 32)
        {
            throw new ArgumentException("at least 32 bytes of entropy are needed", nameof(entropy));
        }
        (_parameters, Self, _graph) = (parameters, self, new NeighbourGraph(parameters));
        var coefficientBytes = ShamirSharing.CoefficientBytes(parameters.Threshold);
        var secrets = Expand(entropy, parameters.SessionId, (3 * SecAggCrypto.KeyBytes) + (2 * coefficientBytes));
        _cipherKey = secrets[..32];
        _maskKey = secrets[32..64];
        _selfMaskSeed = secrets[64..96];
        _coefficients = secrets[96..];
    }

    private enum Phase
    {
        Created,
        KeysAdvertised,
        SharesSent,
        MaskedInputSent,
        Aborted,
    }

    /// <summary>This site's index.</summary>
    public int Self { get; }

    /// <summary>One protocol step. Inputs out of turn become rejections.</summary>
    public IReadOnlyList<SecAggOutput> Step(SecAggInput input) => (input, _phase) switch
    {
        (_, Phase.Aborted) => [new Rejection("this participant has aborted", null)],
        (Begin, Phase.Created) => Advertise(),
        (KeysAdvertised keys, Phase.KeysAdvertised) => ShareKeys(keys.Messages),
        (SharesDealt shares, Phase.SharesSent) => MaskInput(shares.Messages, shares.Update),
        (UnmaskRequested request, Phase.MaskedInputSent) => Unmask(request.Request),
        _ => [new Rejection($"{input.GetType().Name} is not expected in phase {_phase}", null)],
    };

    private List<SecAggOutput> Advertise()
    {
        _phase = Phase.KeysAdvertised;
        return [new Broadcast(new AdvertiseKeys(Self, SecAggCrypto.PublicKeyOf(_cipherKey), SecAggCrypto.PublicKeyOf(_maskKey)))];
    }

    /// <summary>Round 1: Shamir-share the mask key and b among the holders, each pair encrypted to its holder.</summary>
    private List<SecAggOutput> ShareKeys(IReadOnlyList<AdvertiseKeys> messages)
    {
        var outputs = new List<Rejection>();
        _advertised = SecAggRoster.Advertised(_parameters, messages, outputs);
        var holders = SecAggRoster.HoldersAmong(_graph, Self, _advertised);
        if (!_advertised.TryGetValue(Self, out var own) || !own.MaskPublicKey.AsSpan().SequenceEqual(SecAggCrypto.PublicKeyOf(_maskKey)))
        {
            return Abort(outputs, "this site's own keys are not among the agreed advertisements");
        }
        if (holders.Count < _parameters.Threshold)
        {
            return Abort(outputs, $"only {holders.Count} holders advertised keys, fewer than the threshold {_parameters.Threshold}");
        }
        var half = _coefficients.Length / 2;
        var keyShares = ShamirSharing.Split(_maskKey, holders, _parameters.Threshold, _coefficients.AsSpan(0, half));
        var seedShares = ShamirSharing.Split(_selfMaskSeed, holders, _parameters.Threshold, _coefficients.AsSpan(half));
        var session = _parameters.SessionId;
        var sealedShares = new List<EncryptedShares>(holders.Count);
        foreach (var holder in holders)
        {
            var key = SecAggCrypto.ShareKey(_cipherKey, _advertised[holder].CipherPublicKey, session, Self, holder)!;
            var plaintext = new byte[SecAggCrypto.SharePlaintextBytes];
            BinaryPrimitives.WriteInt32LittleEndian(plaintext, Self);
            BinaryPrimitives.WriteInt32LittleEndian(plaintext.AsSpan(4), holder);
            keyShares[holder].CopyTo(plaintext, 8);
            seedShares[holder].CopyTo(plaintext, 8 + ShamirSharing.ShareBytes);
            sealedShares.Add(new EncryptedShares(holder, SecAggCrypto.Seal(key, session, Self, holder, plaintext),
                SecAggCrypto.Commit(MaskKeyShareDomain, session, Self, holder, keyShares[holder]),
                SecAggCrypto.Commit(SelfMaskShareDomain, session, Self, holder, seedShares[holder])));
        }
        var commitment = SecAggCrypto.Commit(SelfMaskSeedDomain, session, Self, Self, _selfMaskSeed);
        _phase = Phase.SharesSent;
        return [.. outputs, new Broadcast(new ShareKeys(Self, commitment, sealedShares))];
    }

    /// <summary>Round 2: keep the shares addressed here, then y = x + PRG(b) + Σ_v ±PRG(s_uv) over U2's neighbours
    /// (+ when this site's index is the smaller, so each pair cancels in the sum).</summary>
    private List<SecAggOutput> MaskInput(IReadOnlyList<ShareKeys> messages, float[] update)
    {
        var outputs = new List<Rejection>();
        _dealt = SecAggRoster.Dealt(_parameters, _graph, _advertised, messages, outputs);
        if (!_dealt.ContainsKey(Self))
        {
            return Abort(outputs, "this site's own shares are not among the agreed share messages");
        }
        if (_dealt.Count < _parameters.Threshold)
        {
            return Abort(outputs, $"only {_dealt.Count} sites dealt shares, fewer than the threshold {_parameters.Threshold}");
        }
        foreach (var (dealer, message) in _dealt)
        {
            if (message.Shares.FirstOrDefault(s => s.Holder == Self) is { } mine && Receive(dealer, message, mine) is { } rejection)
            {
                outputs.Add(rejection);
            }
        }
        if (update.Length != _parameters.VectorLength)
        {
            return Abort(outputs, $"the update has {update.Length} values, not {_parameters.VectorLength}");
        }
        var masked = new ulong[update.Length];
        if (!_parameters.Codec.TryEncode(update, masked, out var bad))
        {
            return Abort(outputs, $"update value {bad} is not finite or exceeds {_parameters.Codec.MaxAbsValue}");
        }
        MaskGenerator.Apply(masked, SecAggCrypto.SelfMaskKey(_selfMaskSeed, _parameters.SessionId), 1);
        foreach (var peer in _graph.Neighbours(Self).Where(_dealt.ContainsKey))
        {
            var seed = SecAggCrypto.PairwiseSeed(_maskKey, _advertised[peer].MaskPublicKey, _parameters.SessionId, Self, peer)!;
            MaskGenerator.Apply(masked, seed, Self < peer ? 1 : -1);
        }
        _phase = Phase.MaskedInputSent;
        return [.. outputs, new Broadcast(new MaskedInput(Self, masked))];
    }

    /// <summary>Decrypts and checks the shares <paramref name="dealer"/> sent here; a rejection if they are bad.</summary>
    private Rejection? Receive(int dealer, ShareKeys message, EncryptedShares mine)
    {
        var session = _parameters.SessionId;
        var key = SecAggCrypto.ShareKey(_cipherKey, _advertised[dealer].CipherPublicKey, session, dealer, Self)!;
        var plaintext = SecAggCrypto.Open(key, session, dealer, Self, mine.Ciphertext);
        if (plaintext is null
            || BinaryPrimitives.ReadInt32LittleEndian(plaintext) != dealer
            || BinaryPrimitives.ReadInt32LittleEndian(plaintext.AsSpan(4)) != Self)
        {
            return new Rejection($"the shares site {dealer} sent here do not decrypt", dealer);
        }
        var keyShare = plaintext[8..(8 + ShamirSharing.ShareBytes)];
        var seedShare = plaintext[(8 + ShamirSharing.ShareBytes)..];
        if (!SecAggCrypto.Commit(MaskKeyShareDomain, session, dealer, Self, keyShare).AsSpan().SequenceEqual(mine.MaskKeyShareCommitment)
            || !SecAggCrypto.Commit(SelfMaskShareDomain, session, dealer, Self, seedShare).AsSpan().SequenceEqual(mine.SelfMaskShareCommitment))
        {
            return new Rejection($"the shares site {dealer} sent here do not match its commitments", dealer);
        }
        _held[dealer] = (keyShare, seedShare);
        return null;
    }

    /// <summary>Round 3: answer one agreed unmask request, once. A second, different request is refused: answering
    /// two requests that split the sites differently would reveal both masks of some site (Bonawitz et al. §4).</summary>
    private List<SecAggOutput> Unmask(UnmaskRequest request)
    {
        if (_answered is { } answered)
        {
            return SameRequest(answered.Request, request)
                ? [new Broadcast(answered.Response)]
                : [new Rejection("a second, different unmask request after this site answered one", request.Sender)];
        }
        if (SecAggRoster.RequestProblem(_parameters, request, _dealt) is { } problem)
        {
            return [new Rejection(problem, request.Sender)];
        }
        if (!request.Survivors.Contains(Self))
        {
            return [new Rejection("the unmask request lists this site, which sent its masked input, as dropped", request.Sender)];
        }
        var selfMaskShares = request.Survivors.Where(_held.ContainsKey).ToDictionary(site => site, site => _held[site].SelfMaskShare);
        var maskKeyShares = request.Dropped.Where(_held.ContainsKey).ToDictionary(site => site, site => _held[site].MaskKeyShare);
        var answer = new UnmaskResponse(Self, selfMaskShares, maskKeyShares);
        _answered = (request, answer);
        return [new Broadcast(answer)];
    }

    private List<SecAggOutput> Abort(List<Rejection> rejections, string reason)
    {
        _phase = Phase.Aborted;
        return [.. rejections, new Aborted(reason)];
    }

    private static bool SameRequest(UnmaskRequest a, UnmaskRequest b) =>
        a.Survivors.Order().SequenceEqual(b.Survivors.Order()) && a.Dropped.Order().SequenceEqual(b.Dropped.Order());

    /// <summary>All of a participant's secrets from its entropy: AES-CTR keyed by HKDF(entropy, session).</summary>
    private static byte[] Expand(ReadOnlySpan<byte> entropy, byte[] sessionId, int bytes)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, entropy.ToArray(), 32, sessionId, "swarm/secagg/participant-secrets"u8.ToArray());
        var words = MaskGenerator.Expand(key, (bytes + 7) / 8);
        return MemoryMarshal.AsBytes(words.AsSpan())[..bytes].ToArray();
    }

    internal const string MaskKeyShareDomain = "swarm/secagg/mask-key-share";

    internal const string SelfMaskShareDomain = "swarm/secagg/self-mask-share";

    internal const string SelfMaskSeedDomain = "swarm/secagg/self-mask-seed";
}
