using System.Globalization;
using Microsoft.Extensions.Configuration;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>The configuration as the node sees it after every layer, as a HOCON tree: values keep the type they
/// had in HOCON (an override "7401" of a number stays a number) and each value's origin is the layer that set it.</summary>
public static class EffectiveConfiguration
{
    public static HoconObject Build(IConfigurationRoot configuration)
    {
        var hocon = configuration.Providers.OfType<HoconConfigurationProvider>().LastOrDefault();
        var root = new HoconObject(new HoconOrigin("", 0));
        foreach (var child in InHoconOrder(configuration.GetChildren(), hocon?.Tree))
        {
            root.Set(child.Key, Convert(configuration, child, hocon));
        }
        return root;
    }

    private static HoconValue Convert(IConfigurationRoot configuration, IConfigurationSection section, HoconConfigurationProvider? hocon)
    {
        var original = hocon?.FindValue(section.Path);
        var origin = new HoconOrigin(ConfigurationOrigins.Describe(configuration, section.Path) ?? "", 0);
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return Scalar(section.Value, original, origin);
        }
        if (original is HoconArray)
        {
            var items = children.OrderBy(c => int.TryParse(c.Key, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
                .Select(c => Convert(configuration, c, hocon));
            return new HoconArray([.. items], origin);
        }
        var obj = new HoconObject(origin);
        foreach (var child in InHoconOrder(children, original as HoconObject))
        {
            obj.Set(child.Key, Convert(configuration, child, hocon));
        }
        return obj;
    }

    /// <summary>Keys in the order the HOCON files define them (the configuration API sorts them); keys that only
    /// an override defines come last.</summary>
    private static IEnumerable<IConfigurationSection> InHoconOrder(IEnumerable<IConfigurationSection> sections, HoconObject? original)
    {
        var order = original?.Keys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i, StringComparer.OrdinalIgnoreCase)
            ?? new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        return sections.OrderBy(s => order.GetValueOrDefault(s.Key, int.MaxValue));
    }

    private static HoconValue Scalar(string? text, HoconValue? original, HoconOrigin origin)
    {
        if (text is null)
        {
            return new HoconNull(origin);
        }
        if (original is HoconNumber && HoconNumber.LooksLikeNumber(text))
        {
            return new HoconNumber(text, origin);
        }
        if (original is HoconBoolean && bool.TryParse(text, out var b))
        {
            return new HoconBoolean(b, origin);
        }
        return new HoconString(text, origin);
    }
}
