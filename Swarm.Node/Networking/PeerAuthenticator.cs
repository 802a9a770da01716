using System.Security.Cryptography.X509Certificates;
using Swarm.Node.Identity;

namespace Swarm.Node.Networking;

/// <summary>Decides whether a TLS peer's certificate is acceptable: its public key must be pinned in the consortium
/// under the node id the certificate claims (its CN) and, when we dialed, under the id we meant to reach. Chain
/// and host-name errors are ignored on purpose: certificates are self-signed and the pin is the trust anchor.</summary>
public static class PeerAuthenticator
{
    /// <summary>Null when accepted, otherwise the reason for refusal (safe to log: ids and fingerprints only).</summary>
    public static string? Refusal(Consortium consortium, X509Certificate? certificate, string? expectedNodeId)
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
        return null;
    }

    public static string NodeIdOf(X509Certificate certificate)
    {
        using var cert = new X509Certificate2(certificate);
        return cert.GetNameInfo(X509NameType.SimpleName, false);
    }
}
