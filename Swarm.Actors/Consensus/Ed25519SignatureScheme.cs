using NSec.Cryptography;
using Swarm.Consensus.Blocks;

namespace Swarm.Actors.Consensus;

/// <summary>Ed25519 verification of canonical bytes (NSec over libsodium), outside the pure core. Public keys are
/// the raw 32 bytes of RFC 8032; libsodium rejects non-canonical signatures and small-order keys, so a signature
/// cannot be malleated into a second valid one. Stateless and safe on any number of threads; a malformed key or
/// signature is a failed verification, never an exception.</summary>
public sealed class Ed25519SignatureScheme : ISignatureVerifier
{
    public const int PublicKeyBytes = 32;
    public const int SignatureBytes = 64;

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureBytes
        && TryImport(publicKey) is { } key
        && SignatureAlgorithm.Ed25519.Verify(key, message, signature);

    /// <summary>The raw public key in <paramref name="pem"/> (SubjectPublicKeyInfo PEM text); null when it is not an
    /// Ed25519 public key.</summary>
    public static byte[]? TryReadPublicKeyPem(ReadOnlySpan<byte> pem) =>
        NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, pem, KeyBlobFormat.PkixPublicKeyText, out var key)
            ? key!.Export(KeyBlobFormat.RawPublicKey)
            : null;

    /// <summary>True when <paramref name="publicKey"/> has the shape of an Ed25519 public key.</summary>
    public static bool IsPublicKey(ReadOnlySpan<byte> publicKey) => TryImport(publicKey) is not null;

    private static PublicKey? TryImport(ReadOnlySpan<byte> publicKey) =>
        publicKey.Length == PublicKeyBytes
        && NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key)
            ? key
            : null;
}
