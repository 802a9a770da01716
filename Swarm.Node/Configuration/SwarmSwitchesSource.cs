using Microsoft.Extensions.Configuration;

namespace Swarm.Node.Configuration;

/// <summary>Setting overrides from command-line switches (parsed by <see cref="SwarmSwitches"/>).</summary>
public sealed class SwarmSwitchesSource(IReadOnlyList<KeyValuePair<string, string>> settings) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new SwarmSwitchesProvider(settings);
}
