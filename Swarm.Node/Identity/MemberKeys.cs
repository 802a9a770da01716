using Swarm.Actors.Consensus;

namespace Swarm.Node.Identity;

/// <summary>Members' Ed25519 signing keys as the consortium file carries them (base64 of the raw 32 bytes) and as a
/// chain's genesis needs them (the raw bytes). They are separate from the TLS keys that the fingerprints pin: .NET's
/// TLS stack cannot use Ed25519 certificates on Linux, so links stay on ECDSA P-256 while everything that is signed
/// for others to check (chain messages, commit certificates, task requests, envelopes) uses Ed25519.</summary>
public static class MemberKeys
{
    /// <summary>The base64 public key of <paramref name="signer"/>, as the consortium file carries it.</summary>
    public static string Of(ISigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return Convert.ToBase64String(signer.PublicKey);
    }

    /// <summary>Null when <paramref name="base64"/> is an Ed25519 public key; otherwise what is wrong.</summary>
    public static string? Problem(string? base64)
    {
        if (string.IsNullOrEmpty(base64))
        {
            return "is empty";
        }
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out var length))
        {
            return "is not base64";
        }
        if (length != Ed25519SignatureScheme.PublicKeyBytes)
        {
            return $"must be a {Ed25519SignatureScheme.PublicKeyBytes}-byte Ed25519 public key, got {length} bytes";
        }
        return Ed25519SignatureScheme.IsPublicKey(bytes.AsSpan(0, length)) ? null : "is not an Ed25519 public key";
    }

    /// <summary>The member's key as the chain's genesis lists it.</summary>
    public static byte[] SigningKey(ConsortiumMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return Problem(member.SigningKey) is { } problem
            ? throw new InvalidOperationException($"member '{member.Id}' signing-key {problem}")
            : Convert.FromBase64String(member.SigningKey);
    }

    /// <summary>The base64 key in a public key file (SubjectPublicKeyInfo PEM, as <c>swarm keygen</c> writes
    /// <c>signing.pub</c>).</summary>
    /// <exception cref="ConsortiumFormatException">The file does not hold an Ed25519 public key.</exception>
    public static string ReadPublicKeyFile(string path)
    {
        var key = Ed25519SignatureScheme.TryReadPublicKeyPem(File.ReadAllBytes(path))
            ?? throw new ConsortiumFormatException($"{path}: not an Ed25519 public key (expected the PEM file that swarm keygen writes as {NodeIdentity.SigningPublicKeyFileName})");
        return Convert.ToBase64String(key);
    }
}
