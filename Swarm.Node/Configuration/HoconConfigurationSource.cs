using Microsoft.Extensions.Configuration;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>HOCON layers as one Microsoft.Extensions.Configuration source: the layers are merged and resolved
/// together (so a later layer can refer to a key of an earlier one), then flattened to <c>a:b:c</c> keys.</summary>
public sealed class HoconConfigurationSource(IReadOnlyList<HoconLayer> layers, Func<string, string?>? environment = null) : IConfigurationSource
{
    public IReadOnlyList<HoconLayer> Layers { get; } = layers;

    public Func<string, string?> Environment { get; } = environment ?? HoconLoader.ProcessEnvironment;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new HoconConfigurationProvider(this);
}
