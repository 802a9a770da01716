using Microsoft.Extensions.Configuration;

namespace Swarm.Node.Configuration;

/// <summary>Loads the command-line setting overrides; each key's origin names its switch.</summary>
public sealed class SwarmSwitchesProvider(IReadOnlyList<KeyValuePair<string, string>> settings) : ConfigurationProvider, IConfigurationOriginProvider
{
    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings)
        {
            data[key] = value;
        }
        Data = data;
    }

    public bool TryGetOrigin(string key, out string origin)
    {
        var found = TryGet(key, out _);
        origin = found ? $"command-line switch --{key.Replace(':', '.')}" : "";
        return found;
    }

    public override string ToString() => "command-line switches";
}
