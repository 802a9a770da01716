using System.Collections;
using Microsoft.Extensions.Configuration;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>The node's configuration, layered lowest first: reference.conf (embedded in the binary, so it works
/// from any directory) → the <c>--config</c> file (merged and resolved together with reference.conf) →
/// <c>SWARM_SECTION__KEY</c> environment variables → <c>--section.key=value</c> switches.</summary>
public static class SwarmConfiguration
{
    private const string ReferenceResource = "Swarm.Node.reference.conf";

    /// <summary>The text of hocon/reference.conf as built into this binary.</summary>
    public static string ReferenceText { get; } = ReadReference();

    private static string ReadReference()
    {
        using var stream = typeof(SwarmConfiguration).Assembly.GetManifestResourceStream(ReferenceResource)
            ?? throw new InvalidOperationException($"embedded resource {ReferenceResource} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A snapshot of the process environment.</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);

    /// <summary>The HOCON layers: reference.conf, then the node's file when one is given.</summary>
    public static IReadOnlyList<HoconLayer> Layers(string? configFile)
    {
        var reference = HoconLayer.FromText(ReferenceText, "reference.conf", AppContext.BaseDirectory);
        return configFile is null ? [reference] : [reference, HoconLayer.FromFile(configFile)];
    }

    /// <summary>Adds all layers to a configuration builder (a host's or a plain one).</summary>
    public static IConfigurationBuilder AddSwarmSources(this IConfigurationBuilder builder, string? configFile, IReadOnlyList<string> switches, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = environment ?? ProcessEnvironment();
        var overrides = SwarmSwitches.Parse(switches);
        return builder
            .AddHoconLayers(Layers(configFile), name => variables.TryGetValue(name, out var v) ? v : null)
            .Add(new SwarmEnvironmentVariablesSource(variables))
            .Add(new SwarmSwitchesSource(overrides));
    }

    public static IConfigurationRoot Build(string? configFile, IReadOnlyList<string> switches, IReadOnlyDictionary<string, string>? environment = null) =>
        new ConfigurationBuilder().AddSwarmSources(configFile, switches, environment).Build();

    /// <summary>Binds and validates; throws <see cref="SettingsException"/> listing every problem.</summary>
    public static NodeSettings Bind(IConfigurationRoot configuration)
    {
        var settings = SettingsBinder.Bind<NodeSettings>(configuration) with { Akka = AkkaSection.From(configuration) };
        SettingsValidator.ThrowIfInvalid(settings, configuration);
        return settings;
    }
}
