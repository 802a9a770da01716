using Microsoft.Extensions.Configuration;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary><c>AddHoconFile</c>, <c>AddHoconString</c> and <c>AddHoconLayers</c> for a configuration builder.</summary>
public static class HoconConfigurationExtensions
{
    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder builder, string path) =>
        builder.Add(new HoconConfigurationSource([HoconLayer.FromFile(path)]));

    public static IConfigurationBuilder AddHoconString(this IConfigurationBuilder builder, string text, string sourceName = "string") =>
        builder.Add(new HoconConfigurationSource([HoconLayer.FromText(text, sourceName)]));

    /// <summary>Several layers merged and resolved as one document (reference.conf, then the node's file).</summary>
    public static IConfigurationBuilder AddHoconLayers(this IConfigurationBuilder builder, IReadOnlyList<HoconLayer> layers, Func<string, string?>? environment = null) =>
        builder.Add(new HoconConfigurationSource(layers, environment));
}
