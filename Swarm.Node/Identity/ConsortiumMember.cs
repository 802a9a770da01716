namespace Swarm.Node.Identity;

/// <summary>One institution's node in a consortium: its id, where it listens and the pinned key fingerprint; and,
/// optionally, the public key itself (base64 DER SubjectPublicKeyInfo, which must hash to the fingerprint), which a
/// node needs to take part in tasks: a task chain's genesis lists every participant's public key.</summary>
public sealed record ConsortiumMember(string Id, string Endpoint, string Fingerprint, string? PublicKey = null)
{
    /// <summary>Splits <see cref="Endpoint"/> ("host:port", IPv6 as "[::1]:port"); call only on a validated member.</summary>
    public (string Host, int Port) HostAndPort
    {
        get
        {
            if (!EndpointParser.TryParse(Endpoint, out var host, out var port, out var problem))
            {
                throw new InvalidOperationException($"member '{Id}' endpoint {problem}");
            }
            return (host, port);
        }
    }
}
