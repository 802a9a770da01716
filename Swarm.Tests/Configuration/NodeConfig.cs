using Microsoft.Extensions.Configuration;
using Swarm.Node.Configuration;

namespace Swarm.Tests.Configuration;

/// <summary>Builds a node configuration (reference.conf + a test file) with a fixed environment.</summary>
internal static class NodeConfig
{
    public const string Minimal = "node.id = hospital-a\n";

    public static IConfigurationRoot Build(TempDirectory dir, string text, IReadOnlyList<string>? switches = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var file = dir.Write("node.conf", text);
        return SwarmConfiguration.Build(file, switches ?? [], environment ?? new Dictionary<string, string>());
    }

    public static SettingsException BindFails(TempDirectory dir, string text, IReadOnlyDictionary<string, string>? environment = null) =>
        Assert.Throws<SettingsException>(() => SwarmConfiguration.Bind(Build(dir, text, environment: environment)));
}
