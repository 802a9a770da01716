namespace Swarm.Node.Identity;

/// <summary>One institution's node in a consortium: its id, where it listens and the pinned key fingerprint.</summary>
public sealed record ConsortiumMember(string Id, string Endpoint, string Fingerprint)
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
