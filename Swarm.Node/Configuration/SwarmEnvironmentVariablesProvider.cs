using Microsoft.Extensions.Configuration;

namespace Swarm.Node.Configuration;

/// <summary>Loads the <c>SWARM_SECTION__KEY</c> overrides (see <see cref="SwarmEnvironmentVariablesSource"/>).</summary>
public sealed class SwarmEnvironmentVariablesProvider(IReadOnlyDictionary<string, string> variables) : ConfigurationProvider, IConfigurationOriginProvider
{
    private readonly Dictionary<string, string> _origins = new(StringComparer.OrdinalIgnoreCase);

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        _origins.Clear();
        foreach (var (name, value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (SwarmEnvironmentVariablesSource.KeyOf(name) is { } key)
            {
                data[key] = value;
                _origins[key] = $"environment variable {name}";
            }
        }
        Data = data;
    }

    public bool TryGetOrigin(string key, out string origin) => _origins.TryGetValue(key, out origin!);

    public override string ToString() => "environment variables (SWARM_SECTION__KEY)";
}
