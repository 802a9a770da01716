using System.Buffers.Binary;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Swarm.Learning.Privacy.SecureAggregation;

/// <summary>The cryptographic primitives of the protocol (Bonawitz et al. §3): X25519 key agreement (NSec over
/// libsodium), HKDF-SHA256 to turn agreed secrets into seeds and keys (RFC 5869), AES-256-GCM for shares in
/// transit, SHA-256 commitments. Every derivation is bound to the session id and to the ordered pair of sites, so no
/// key serves two purposes, two directions or two sessions. Deterministic: no randomness enters here.</summary>
public static class SecAggCrypto
{
    public const int KeyBytes = 32;

    public const int TagBytes = 16;

    /// <summary>The plaintext of one holder's shares: dealer (4), holder (4), mask-key share, self-mask share.</summary>
    public const int SharePlaintextBytes = 8 + (2 * ShamirSharing.ShareBytes);

    private static readonly KeyAgreementAlgorithm X25519 = KeyAgreementAlgorithm.X25519;

    /// <summary>The X25519 public key of a raw 32-byte private key.</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> privateKey)
    {
        using var key = Key.Import(X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>Whether <paramref name="publicKey"/> is a usable X25519 public key encoding.
    /// A low-order point imports but agrees to all zeros with every key, so it is tried against a fixed key.</summary>
    public static bool IsPublicKey(byte[] publicKey) =>
        Agree(ProbeKey, publicKey, new byte[16], [1]) is not null;

    private static readonly byte[] ProbeKey = SHA256.HashData("swarm/secagg/public-key-probe"u8);

    /// <summary>The seed of the pairwise mask between sites <paramref name="u"/> and <paramref name="v"/>, from one's
    /// private mask key and the other's public one (symmetric in u, v); null when the agreement fails (a
    /// low-order public key).</summary>
    public static byte[]? PairwiseSeed(ReadOnlySpan<byte> privateKey, byte[] peerPublicKey, byte[] sessionId, int u, int v) =>
        Agree(privateKey, peerPublicKey, sessionId, Info("swarm/secagg/pairwise-mask", Math.Min(u, v), Math.Max(u, v)));

    /// <summary>The AES-256-GCM key for the shares <paramref name="dealer"/> sends <paramref name="holder"/>.</summary>
    public static byte[]? ShareKey(ReadOnlySpan<byte> privateKey, byte[] peerPublicKey, byte[] sessionId, int dealer, int holder) =>
        Agree(privateKey, peerPublicKey, sessionId, Info("swarm/secagg/share-encryption", dealer, holder));

    /// <summary>The AES-256-GCM key for the share seed <paramref name="dealer"/> seals to <paramref name="holder"/>
    /// under additive secret sharing (a purpose of its own, so it never equals a secure-aggregation key).</summary>
    public static byte[]? SeedKey(ReadOnlySpan<byte> privateKey, byte[] peerPublicKey, byte[] sessionId, int dealer, int holder) =>
        Agree(privateKey, peerPublicKey, sessionId, Info("swarm/secret-sharing/seed-encryption", dealer, holder));

    /// <summary>The AES key that expands into a site's self-mask, from its seed b.</summary>
    public static byte[] SelfMaskKey(ReadOnlySpan<byte> seed, byte[] sessionId) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, seed.ToArray(), KeyBytes, sessionId, "swarm/secagg/self-mask"u8.ToArray());

    /// <summary>SHA-256 over a domain label, the session, the two sites and the value.</summary>
    public static byte[] Commit(string domain, byte[] sessionId, int owner, int holder, ReadOnlySpan<byte> value) =>
        SHA256.HashData([.. Info(domain, owner, holder), .. sessionId, .. value]);

    /// <summary>Encrypts a holder's share plaintext. The key is used for this one message only, so a fixed nonce
    /// is safe (the key is fresh per session, dealer and holder).</summary>
    public static byte[] Seal(byte[] key, byte[] sessionId, int dealer, int holder, ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[plaintext.Length + TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(new byte[12], plaintext, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length),
            Info("swarm/secagg/share-aad", dealer, holder).Concat(sessionId).ToArray());
        return sealedBytes;
    }

    /// <summary>The plaintext, or null when the ciphertext is the wrong size or fails authentication. The plaintext
    /// must be <paramref name="plaintextBytes"/> long: a share pair unless the caller says otherwise.</summary>
    public static byte[]? Open(byte[] key, byte[] sessionId, int dealer, int holder, byte[] sealedBytes, int plaintextBytes = SharePlaintextBytes)
    {
        if (sealedBytes.Length != plaintextBytes + TagBytes)
        {
            return null;
        }
        var plaintext = new byte[plaintextBytes];
        using var aes = new AesGcm(key, TagBytes);
        try
        {
            aes.Decrypt(new byte[12], sealedBytes.AsSpan(0, plaintextBytes), sealedBytes.AsSpan(plaintextBytes), plaintext,
                Info("swarm/secagg/share-aad", dealer, holder).Concat(sessionId).ToArray());
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[]? Agree(ReadOnlySpan<byte> privateKey, byte[] peerPublicKey, byte[] sessionId, byte[] info)
    {
        if (peerPublicKey.Length != KeyBytes || !PublicKey.TryImport(X25519, peerPublicKey, KeyBlobFormat.RawPublicKey, out var peer) || peer is null)
        {
            return null;
        }
        using var key = Key.Import(X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        using var shared = X25519.Agree(key, peer);
        return shared is null ? null : KeyDerivationAlgorithm.HkdfSha256.DeriveBytes(shared, sessionId, info, KeyBytes);
    }

    private static byte[] Info(string domain, int first, int second)
    {
        var label = System.Text.Encoding.UTF8.GetBytes(domain);
        var info = new byte[label.Length + 8];
        label.CopyTo(info, 0);
        BinaryPrimitives.WriteInt32LittleEndian(info.AsSpan(label.Length), first);
        BinaryPrimitives.WriteInt32LittleEndian(info.AsSpan(label.Length + 4), second);
        return info;
    }
}
