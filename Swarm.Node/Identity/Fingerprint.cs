using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Swarm.Node.Identity;

/// <summary>A public-key fingerprint: SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex. It pins the key, not
/// the certificate, so a node may renew its self-signed certificate without a consortium change.</summary>
public static class Fingerprint
{
    public const int HexLength = 64;

    public static string Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Of(certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    public static string Of(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Of(key.ExportSubjectPublicKeyInfo());
    }

    public static string Of(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>Null when <paramref name="hex"/> is a well-formed fingerprint, otherwise what is wrong.</summary>
    public static string? Problem(string? hex)
    {
        if (string.IsNullOrEmpty(hex))
        {
            return "is empty";
        }
        if (hex.Length != HexLength)
        {
            return $"must be {HexLength} hex digits (SHA-256), got {hex.Length} characters";
        }
        return hex.All(char.IsAsciiHexDigitLower)
            ? null
            : "must be lowercase hex digits";
    }
}
