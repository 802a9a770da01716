using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Swarm.Actors.Consensus;

namespace Swarm.Node.Identity;

/// <summary>Members' public keys as the consortium file carries them (base64 DER SubjectPublicKeyInfo) and as a
/// chain's genesis needs them (the uncompressed P-256 point).</summary>
public static class MemberKeys
{
    /// <summary>The base64 SPKI of a certificate's key, as the consortium file carries it.</summary>
    public static string Of(X509Certificate2 certificate) => Convert.ToBase64String(certificate.PublicKey.ExportSubjectPublicKeyInfo());

    /// <summary>Null when <paramref name="base64"/> is a P-256 key whose fingerprint is <paramref name="fingerprint"/>;
    /// otherwise what is wrong.</summary>
    public static string? Problem(string base64, string fingerprint)
    {
        byte[] spki;
        try
        {
            spki = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return "is not base64";
        }
        if (!string.Equals(Fingerprint.Of(spki), fingerprint, StringComparison.Ordinal))
        {
            return $"does not match the pinned fingerprint {fingerprint}";
        }
        return Point(spki) is null ? "is not an ECDSA P-256 public key" : null;
    }

    /// <summary>The member's key as the chain's genesis lists it.</summary>
    public static byte[] ChainKey(ConsortiumMember member)
    {
        if (member.PublicKey is null)
        {
            throw new InvalidOperationException($"member '{member.Id}' has no public-key in the consortium file; add the member again with: swarm consortium add --cert");
        }
        return Point(Convert.FromBase64String(member.PublicKey))
            ?? throw new InvalidOperationException($"member '{member.Id}' public-key is not an ECDSA P-256 key");
    }

    private static byte[]? Point(byte[] spki)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(spki, out _);
            var parameters = key.ExportParameters(includePrivateParameters: false);
            return key.KeySize == 256 && parameters.Q.X?.Length == 32 ? EcdsaSignatureScheme.EncodePoint(parameters.Q) : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
