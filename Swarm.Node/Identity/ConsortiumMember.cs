namespace Swarm.Node.Identity;

/// <summary>One institution's node in a consortium: its id, where it listens, the pinned fingerprint of its TLS key
/// and its Ed25519 signing key (base64 of the raw 32 bytes). The signing key is what a task chain's genesis lists
/// for the member and what its envelopes are checked against; the fingerprint only authenticates the link.</summary>
public sealed record ConsortiumMember(string Id, string Endpoint, string Fingerprint, string SigningKey)
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
