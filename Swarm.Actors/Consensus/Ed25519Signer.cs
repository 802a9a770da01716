using NSec.Cryptography;

namespace Swarm.Actors.Consensus;

/// <summary>A member's Ed25519 private key (RFC 8032, through NSec/libsodium). Signing is deterministic: the same
/// key and message always give the same 64 bytes, so no randomness is needed (and none can leak the key).
/// Signing from several threads at once is safe.</summary>
public sealed class Ed25519Signer : ISigner, IDisposable
{
    private readonly Key _key;

    private Ed25519Signer(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    public static Ed25519Signer Generate() => new(Key.Create(SignatureAlgorithm.Ed25519, Exportable()));

    /// <summary>Loads a key from its PKCS#8 PEM text (RFC 8410, as in the node's signing key file); null when the
    /// text is not an Ed25519 private key.</summary>
    public static Ed25519Signer? TryImportPem(ReadOnlySpan<byte> pem) =>
        Key.TryImport(SignatureAlgorithm.Ed25519, pem, KeyBlobFormat.PkixPrivateKeyText, out var key, Exportable()) ? new(key!) : null;

    /// <summary>The raw 32-byte public key, as chain members and the consortium file carry it.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The private key as PKCS#8 PEM text (RFC 8410), which OpenSSL also reads.</summary>
    public byte[] ExportPem() => _key.Export(KeyBlobFormat.PkixPrivateKeyText);

    /// <summary>The public key as SubjectPublicKeyInfo PEM text, the file an operator hands to the consortium.</summary>
    public byte[] ExportPublicKeyPem() => _key.PublicKey.Export(KeyBlobFormat.PkixPublicKeyText);

    public byte[] Sign(ReadOnlySpan<byte> message) => SignatureAlgorithm.Ed25519.Sign(_key, message);

    public void Dispose() => _key.Dispose();

    // The node writes its key to a file once (swarm keygen), so the key must allow a plaintext export.
    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
}
