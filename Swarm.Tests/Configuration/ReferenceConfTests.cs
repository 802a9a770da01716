using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Swarm.Node.Configuration;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Tests.Configuration;

public sealed partial class ReferenceConfTests
{
    private static string ReferencePath => Path.Combine(AppContext.BaseDirectory, "hocon", "reference.conf");

    private static string NodeConfPath => Path.Combine(AppContext.BaseDirectory, "hocon", "node.conf");

    [Fact]
    public void Reference_conf_binds_to_the_settings_with_no_unknown_or_missing_key()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconLayers([HoconLayer.FromFile(ReferencePath)], _ => null)
            .Build();
        var settings = SettingsBinder.Bind<NodeSettings>(configuration);
        Assert.Equal(7400, settings.Network.ListenPort);

        var fileKeys = LeafKeys(HoconLoader.LoadFile(ReferencePath, _ => null).Root, "").Order(StringComparer.Ordinal).ToList();
        var propertyKeys = SettingsProperty.Leaves(typeof(NodeSettings)).Select(l => l.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(propertyKeys, fileKeys);
    }

    [Fact]
    public void The_embedded_reference_conf_is_the_one_in_the_repository()
    {
        Assert.Equal(File.ReadAllText(ReferencePath), SwarmConfiguration.ReferenceText);
    }

    [Fact]
    public void Every_key_in_reference_conf_has_a_comment()
    {
        var lines = File.ReadAllLines(ReferencePath);
        for (var i = 0; i < lines.Length; i++)
        {
            var match = Assignment().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }
            var previous = lines[i - 1].Trim();
            var sameKeyAgain = Assignment().Match(lines[i - 1]) is { Success: true } m && m.Groups[1].Value == match.Groups[1].Value;
            Assert.True(previous.StartsWith('#') || sameKeyAgain, $"reference.conf:{i + 1}: key '{match.Groups[1].Value}' has no comment above it");
        }
    }

    [Fact]
    public void The_example_node_conf_is_valid()
    {
        var settings = SwarmConfiguration.Bind(SwarmConfiguration.Build(NodeConfPath, [], new Dictionary<string, string>()));
        Assert.Equal("hospital-a", settings.Node.Id);
        Assert.Equal("swarm-data/hospital-a/ledger.db", settings.Store.SqlitePath);
        Assert.Equal(7401, settings.Network.ListenPort);
        Assert.Equal(7481, settings.Http.Port);
    }

    [Fact]
    public void Reference_conf_reads_the_node_id_from_the_environment()
    {
        var env = new Dictionary<string, string> { ["SWARM_NODE_ID"] = "clinic-9" };
        var settings = SwarmConfiguration.Bind(SwarmConfiguration.Build(null, [], env));
        Assert.Equal("clinic-9", settings.Node.Id);
    }

    private static IEnumerable<string> LeafKeys(HoconObject obj, string prefix) =>
        obj.Fields.SelectMany(f =>
        {
            var key = prefix.Length == 0 ? f.Key : $"{prefix}.{f.Key}";
            return f.Value is HoconObject child ? LeafKeys(child, key) : [key];
        });

    [GeneratedRegex(@"^\s*([a-z][a-z0-9-]*)\s*=")]
    private static partial Regex Assignment();
}
