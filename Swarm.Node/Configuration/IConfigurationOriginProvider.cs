namespace Swarm.Node.Configuration;

/// <summary>A configuration provider that can say where a key's value came from ("node.conf:12",
/// "environment variable SWARM_NETWORK__LISTEN_PORT"), so that errors point at the line to fix.</summary>
public interface IConfigurationOriginProvider
{
    bool TryGetOrigin(string key, out string origin);
}
