using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>
/// The <c>akka { }</c> section of the node's configuration files (and of <c>SWARM_</c> variables and switches, which
/// layer over it as over every key), handed to Akka.NET. Our HOCON library reads the files with its strictness and
/// file:line errors; Akka receives the result as HOCON text of quoted strings (Akka reads durations, sizes, numbers
/// and booleans from strings), lists where the keys are 0, 1, 2, … Akka checks its own keys.
/// </summary>
public sealed class AkkaSection
{
    public const string Key = "akka";

    public static readonly AkkaSection Empty = new([]);

    private AkkaSection(IReadOnlyList<KeyValuePair<string, string>> values) => Values = values;

    /// <summary>Each leaf as a dotted path (<c>akka.loglevel</c>) and its text.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Values { get; }

    public static AkkaSection From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Key);
        var leaves = new List<KeyValuePair<string, string>>();
        Collect(section, leaves);
        return leaves.Count == 0 ? Empty : new AkkaSection(leaves);
    }

    /// <summary>The section as HOCON for Akka; empty when the files have no <c>akka</c> section.</summary>
    public string ToHocon()
    {
        var text = new StringBuilder();
        foreach (var (path, value) in Values)
        {
            text.Append(path).Append(" = ").Append(value).Append('\n');
        }
        return text.ToString();
    }

    private static void Collect(IConfigurationSection section, List<KeyValuePair<string, string>> leaves)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            if (section.Value is { } value)
            {
                leaves.Add(new(Dotted(section.Path), JsonSerializer.Serialize(value)));
            }
            return;
        }
        if (children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)) && children.All(c => !c.GetChildren().Any()))
        {
            var items = children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(c => JsonSerializer.Serialize(c.Value ?? ""));
            leaves.Add(new(Dotted(section.Path), "[" + string.Join(", ", items) + "]"));
            return;
        }
        foreach (var child in children)
        {
            Collect(child, leaves);
        }
    }

    private static string Dotted(string path) => HoconPath.FromConfigurationKey(path).ToString();
}
