using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>How secret values are shown: "&lt;redacted&gt;" when set, "" when empty (so an operator can still see
/// whether a secret was provided).</summary>
public static class Redaction
{
    public static string Of(string secret) => secret.Length == 0 ? "" : HoconRenderer.Redacted;
}
