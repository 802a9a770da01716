using System.Security.Cryptography.X509Certificates;
using Swarm.Node.Identity;

namespace Swarm.Node.Networking;

/// <summary>Decides whether a TLS peer's certificate is acceptable: its public key must be pinned in the consortium
/// under the node id the certificate claims (its CN) and, when we dialed, under the id we meant to reach. Chain
/// and host-name errors are ignored on purpose: certificates are self-signed and the pin is the trust anchor.</summary>
public static class PeerAuthenticator
{
    /// <summary>Null when accepted, otherwise the reason for refusal (safe to log: ids and fingerprints only). A
    /// pinned certificate outside its validity period is refused too: the pin replaces the chain check, not the
    /// certificate's own dates, so a member whose certificate expired must rotate its key.</summary>
    /// <param name="consortium">The members and their pins.</param>
    /// <param name="certificate">What the peer presented.</param>
    /// <param name="expectedNodeId">The node we dialed, or null when the peer dialed us.</param>
    /// <param name="now">The time to check the certificate's dates at; null: the system clock.</param>
    public static string? Refusal(Consortium consortium, X509Certificate? certificate, string? expectedNodeId, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(consortium);
        if (certificate is null)
        {
            return "peer presented no certificate";
        }
        using var cert = new X509Certificate2(certificate);
        var claimed = cert.GetNameInfo(X509NameType.SimpleName, false);
        var fingerprint = Fingerprint.Of(cert);
        if (expectedNodeId is not null && claimed != expectedNodeId)
        {
            return $"dialed '{expectedNodeId}' but the certificate claims '{claimed}' (key {fingerprint})";
        }
        var member = consortium.Find(claimed);
        if (member is null)
        {
            return $"node '{claimed}' (key {fingerprint}) is not a member of consortium '{consortium.Name}'";
        }
        if (!string.Equals(member.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            return $"certificate claims node '{claimed}' but its key {fingerprint} is not the pinned key {member.Fingerprint}";
        }
        return ValidityProblem(cert, (now ?? DateTimeOffset.UtcNow).UtcDateTime) is { } problem ? $"node '{claimed}': {problem}" : null;
    }

    /// <summary>Why <paramref name="certificate"/> is not valid at <paramref name="utcNow"/> (expired or not yet
    /// valid), or null.</summary>
    public static string? ValidityProblem(X509Certificate2 certificate, DateTime utcNow)
    {
        if (certificate.NotAfter.ToUniversalTime() < utcNow)
        {
            return $"certificate expired on {certificate.NotAfter.ToUniversalTime():u}";
        }
        return certificate.NotBefore.ToUniversalTime() > utcNow ? $"certificate is not valid before {certificate.NotBefore.ToUniversalTime():u}" : null;
    }

    public static string NodeIdOf(X509Certificate certificate)
    {
        using var cert = new X509Certificate2(certificate);
        return cert.GetNameInfo(X509NameType.SimpleName, false);
    }
}
