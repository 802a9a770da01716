using System.Globalization;

namespace Swarm.Node.Identity;

/// <summary>Parses "host:port" endpoints of consortium members ("[::1]:47001" for IPv6 literals).</summary>
public static class EndpointParser
{
    public static bool TryParse(string? endpoint, out string host, out int port, out string problem)
    {
        host = "";
        port = 0;
        problem = "";
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            problem = "is empty (expected HOST:PORT)";
            return false;
        }
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || colon == endpoint.Length - 1)
        {
            problem = $"'{endpoint}' is not HOST:PORT";
            return false;
        }
        host = endpoint[..colon].Trim('[', ']');
        if (!int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port is < 1 or > 65535)
        {
            problem = $"'{endpoint}' has no port in 1..65535";
            return false;
        }
        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
        {
            problem = $"'{endpoint}' has no valid host";
            return false;
        }
        return true;
    }
}
