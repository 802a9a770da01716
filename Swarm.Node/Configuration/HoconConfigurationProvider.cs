using System.Globalization;
using Microsoft.Extensions.Configuration;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>Flattens a resolved HOCON tree into configuration keys: objects nest with ':', arrays by index
/// (<c>a:0</c>, <c>a:1</c>), scalars as their text (durations and sizes stay strings such as "5s"; the settings
/// binder converts them). Remembers each key's file and line.</summary>
public sealed class HoconConfigurationProvider(HoconConfigurationSource source) : ConfigurationProvider, IConfigurationOriginProvider
{
    private readonly Dictionary<string, HoconOrigin> _origins = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The resolved tree of the last load (empty before the first).</summary>
    public HoconObject Tree { get; private set; } = new(new HoconOrigin("", 0));

    public override void Load()
    {
        var config = HoconLoader.Load(source.Layers, source.Environment);
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        _origins.Clear();
        Flatten(config.Root, "", data);
        Tree = config.Root;
        Data = data;
    }

    private void Flatten(HoconValue value, string key, Dictionary<string, string?> data)
    {
        if (key.Length > 0)
        {
            _origins[key] = value.Origin;
        }
        switch (value)
        {
            case HoconObject obj:
                foreach (var (child, childValue) in obj.Fields)
                {
                    Flatten(childValue, Join(key, child), data);
                }
                break;
            case HoconArray array:
                for (var i = 0; i < array.Items.Count; i++)
                {
                    Flatten(array.Items[i], Join(key, i.ToString(CultureInfo.InvariantCulture)), data);
                }
                break;
            case HoconNull:
                data[key] = null;
                break;
            default:
                data[key] = value.ScalarText;
                break;
        }
    }

    private static string Join(string prefix, string key) => prefix.Length == 0 ? key : prefix + ConfigurationPath.KeyDelimiter + key;

    public bool TryGetOrigin(string key, out string origin)
    {
        var found = _origins.TryGetValue(key, out var o);
        origin = found ? o.ToString() : "";
        return found;
    }

    /// <summary>The HOCON value at a configuration key, if this provider has one.</summary>
    public HoconValue? FindValue(string key) => Tree.Find(HoconPath.FromConfigurationKey(key));

    public override string ToString() => $"HOCON ({string.Join(", ", source.Layers.Select(l => l.SourceName))})";
}
