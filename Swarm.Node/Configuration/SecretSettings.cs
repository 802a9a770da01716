using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>The dotted keys of the settings marked <see cref="SecretAttribute"/>, for redaction.</summary>
public static class SecretSettings
{
    public static IReadOnlySet<string> Keys { get; } =
        SettingsProperty.Leaves(typeof(NodeSettings)).Where(l => l.Property.IsSecret).Select(l => l.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public static bool IsSecret(HoconPath path) => Keys.Contains(path.ToString());
}
