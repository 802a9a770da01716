namespace Swarm.Learning.Privacy.SecureAggregation;

// The messages of the secure-aggregation rounds (Bonawitz et al., CCS 2017, Figure 4 / §4), renamed for a
// swarm without a server: each round's messages are broadcast, and the next round starts from the set of them
// that the task's chain (or a deadline) fixes, so every site sees the same set. Authenticity of the sender is the
// transport's job (every message between Swarm nodes is signed); the core re-checks what it can.

/// <summary>A message of the protocol; <see cref="Sender"/> is the site index.</summary>
public abstract record SecAggMessage(int Sender);

/// <summary>Round 0 (AdvertiseKeys): two X25519 public keys, c for encrypting shares and s for pairwise masks.
/// Two keys, because the mask key of a site that drops is rebuilt and must not open its mail.</summary>
public sealed record AdvertiseKeys(int Sender, byte[] CipherPublicKey, byte[] MaskPublicKey) : SecAggMessage(Sender);

/// <summary>Round 1 (ShareKeys): for each holder of the sender's secrets, its two shares, encrypted to that holder,
/// and commitments that let anyone check a share when it is revealed. <see cref="SelfMaskCommitment"/> is
/// SHA-256 of the self-mask seed b, so a rebuilt b can be checked too (the mask key is checked against its
/// advertised public key).</summary>
public sealed record ShareKeys(int Sender, byte[] SelfMaskCommitment, IReadOnlyList<EncryptedShares> Shares) : SecAggMessage(Sender);

/// <summary>The sender's two shares for one holder: AES-256-GCM ciphertext (and tag) of (sender, holder, mask-key
/// share, self-mask share), with a commitment to each share.</summary>
public sealed record EncryptedShares(int Holder, byte[] Ciphertext, byte[] MaskKeyShareCommitment, byte[] SelfMaskShareCommitment);

/// <summary>Round 2 (MaskedInputCollection): y = x + PRG(b) + Σ ±PRG(s_uv) over Z_2^64.</summary>
public sealed record MaskedInput(int Sender, ulong[] Masked) : SecAggMessage(Sender);

/// <summary>Round 3 (Unmasking), from whichever site aggregates: the sites whose masked input counts
/// (<see cref="Survivors"/>: reveal shares of their self-mask seeds) and the sites that dealt shares but sent no
/// masked input (<see cref="Dropped"/>: reveal shares of their mask keys). A site in both would be unmasked.</summary>
public sealed record UnmaskRequest(int Sender, IReadOnlyList<int> Survivors, IReadOnlyList<int> Dropped) : SecAggMessage(Sender);

/// <summary>Round 3 answer: the shares this site holds, keyed by the site they belong to.</summary>
public sealed record UnmaskResponse(
    int Sender, IReadOnlyDictionary<int, byte[]> SelfMaskShares, IReadOnlyDictionary<int, byte[]> MaskKeyShares) : SecAggMessage(Sender);

/// <summary>What a participant is given: the agreed set of the previous round's messages.</summary>
public abstract record SecAggInput;

/// <summary>The agreed AdvertiseKeys messages; the participant answers with its ShareKeys.</summary>
public sealed record KeysAdvertised(IReadOnlyList<AdvertiseKeys> Messages) : SecAggInput;

/// <summary>The agreed ShareKeys messages and this site's update; the participant answers with its MaskedInput.</summary>
public sealed record SharesDealt(IReadOnlyList<ShareKeys> Messages, float[] Update) : SecAggInput;

/// <summary>An unmask request; the participant answers with its shares, or refuses.</summary>
public sealed record UnmaskRequested(UnmaskRequest Request) : SecAggInput;

/// <summary>What a step produces.</summary>
public abstract record SecAggOutput;

/// <summary>A message to broadcast to the other participants.</summary>
public sealed record Broadcast(SecAggMessage Message) : SecAggOutput;

/// <summary>A refused message or input: the reason, and the site at fault when one is (else null). A
/// rejection never stops the protocol by itself; <see cref="Aborted"/> says when the session cannot go on.</summary>
public sealed record Rejection(string Reason, int? Culprit) : SecAggOutput;

/// <summary>This participant stops: the session can no longer produce a sum it may take part in.</summary>
public sealed record Aborted(string Reason) : SecAggOutput;

/// <summary>Starts a participant; it answers with its AdvertiseKeys.</summary>
public sealed record Begin : SecAggInput;

/// <summary>What the aggregation of one session gives.</summary>
public abstract record AggregationOutcome(IReadOnlyList<Rejection> Rejections);

/// <summary>The sum over Z_2^64 of the inputs of <paramref name="Contributors"/>.</summary>
public sealed record AggregateSum(ulong[] Sum, IReadOnlyList<int> Contributors, IReadOnlyList<Rejection> Rejections)
    : AggregationOutcome(Rejections);

/// <summary>No sum: why, and the site at fault when one is.</summary>
public sealed record AggregationFailed(string Reason, int? Culprit, IReadOnlyList<Rejection> Rejections)
    : AggregationOutcome(Rejections);
