using Microsoft.Extensions.Configuration;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>Binds configuration keys to settings records, strictly: every property needs a key (a missing key
/// is an error) and every key needs a property (a typo such as <c>network.listen-prot</c> is an error naming the
/// key, its line and the closest known key). All errors are collected and thrown together.</summary>
public sealed class SettingsBinder
{
    private readonly IConfigurationRoot _configuration;
    private readonly List<SettingsError> _errors = [];

    private SettingsBinder(IConfigurationRoot configuration)
    {
        _configuration = configuration;
    }

    public static T Bind<T>(IConfigurationRoot configuration) where T : class, new()
    {
        var settings = new T();
        BindInto(settings, configuration);
        return settings;
    }

    /// <summary>Sets every property of <paramref name="settings"/> (init-only ones included) from the configuration.</summary>
    public static void BindInto(object settings, IConfigurationRoot configuration)
    {
        var binder = new SettingsBinder(configuration);
        binder.BindSection(settings, "");
        if (binder._errors.Count > 0)
        {
            throw new SettingsException(binder._errors);
        }
    }

    private void BindSection(object target, string prefix)
    {
        var properties = SettingsProperty.Of(target.GetType());
        ReportUnknownKeys(prefix, properties);
        foreach (var property in properties)
        {
            var key = prefix.Length == 0 ? property.Key : prefix + ConfigurationPath.KeyDelimiter + property.Key;
            if (property.IsStringList)
            {
                BindStringList(target, property, key);
            }
            else if (property.MapValueType is { } valueType)
            {
                BindMap(target, property, key, valueType);
            }
            else if (property.IsSection)
            {
                BindChildSection(target, property, key);
            }
            else
            {
                BindValue(target, property, key);
            }
        }
    }

    private void BindChildSection(object target, SettingsProperty property, string key)
    {
        var section = _configuration.GetSection(key);
        if (!section.Exists() && !HoconHas<HoconObject>(key))
        {
            Missing(key, "section");
            return;
        }
        if (section.Value is not null)
        {
            Error(key, $"expected an object (a section of settings), got \"{section.Value}\"", $"write {ToDotted(key)} {{ ... }} with the keys of reference.conf");
            return;
        }
        var child = property.Info.GetValue(target) ?? Activator.CreateInstance(property.Info.PropertyType)!;
        BindSection(child, key);
        property.Info.SetValue(target, child);
    }

    private void BindStringList(object target, SettingsProperty property, string key)
    {
        var section = _configuration.GetSection(key);
        if (section.Value is not null)
        {
            Error(key, $"expected a list, got \"{section.Value}\"", $"write {ToDotted(key)} = [a, b]");
            return;
        }
        var items = section.GetChildren().Select(c => (Index: int.TryParse(c.Key, out var i) ? i : -1, c.Value)).ToList();
        if (items.Count == 0 && !HoconHas<HoconArray>(key))
        {
            Missing(key, "key");
            return;
        }
        if (items.Any(i => i.Index < 0 || i.Value is null))
        {
            Error(key, "expected a list of strings", $"write {ToDotted(key)} = [a, b]");
            return;
        }
        property.Info.SetValue(target, items.OrderBy(i => i.Index).Select(i => i.Value!).ToList());
    }

    /// <summary>Binds <c>key.NAME { ... }</c> for every NAME into a dictionary of <paramref name="valueType"/>
    /// sections, each bound as strictly as any other section.</summary>
    private void BindMap(object target, SettingsProperty property, string key, Type valueType)
    {
        var section = _configuration.GetSection(key);
        if (section.Value is not null)
        {
            Error(key, $"expected an object of named sections, got \"{section.Value}\"", $"write {ToDotted(key)} {{ name {{ ... }} }}");
            return;
        }
        var children = section.GetChildren().ToList();
        if (children.Count == 0 && !HoconHas<HoconObject>(key))
        {
            Missing(key, "section");
            return;
        }
        var map = (System.Collections.IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.Ordinal)!;
        foreach (var child in children)
        {
            if (child.Value is not null)
            {
                Error(child.Path, $"expected an object, got \"{child.Value}\"", "write name { ... } with the keys of reference.conf");
                continue;
            }
            var entry = Activator.CreateInstance(valueType)!;
            BindSection(entry, child.Path);
            map[child.Key] = entry;
        }
        property.Info.SetValue(target, map);
    }

    /// <summary>Whether a HOCON layer has a value of kind <typeparamref name="T"/> at the key (an empty array or
    /// object has no configuration keys of its own).</summary>
    private bool HoconHas<T>(string key)
        where T : HoconValue =>
        _configuration.Providers.OfType<HoconConfigurationProvider>().Any(p => p.FindValue(key) is T);

    private void BindValue(object target, SettingsProperty property, string key)
    {
        var section = _configuration.GetSection(key);
        if (section.Value is null)
        {
            if (section.GetChildren().Any())
            {
                Error(key, "expected a single value, got an object or array", "write one value for this key");
            }
            else if (_configuration.Providers.Any(p => p.TryGet(key, out _)))
            {
                Error(key, "has no value (null)", "give it a value, or remove the line to keep the default");
            }
            else
            {
                Missing(key, "key");
            }
            return;
        }
        if (SettingsValueConverter.TryConvert(section.Value, property.Info, out var value, out var problem))
        {
            property.Info.SetValue(target, value);
        }
        else
        {
            Error(key, problem, property.Info.PropertyType.IsEnum ? null : "write the value in the expected form");
        }
    }

    private void ReportUnknownKeys(string prefix, IReadOnlyList<SettingsProperty> properties)
    {
        var children = prefix.Length == 0 ? _configuration.GetChildren() : _configuration.GetSection(prefix).GetChildren();
        foreach (var child in children)
        {
            if (properties.Any(p => string.Equals(p.Key, child.Key, StringComparison.OrdinalIgnoreCase))
                || (prefix.Length == 0 && string.Equals(child.Key, AkkaSection.Key, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            var closest = properties.MinBy(p => EditDistance(p.Key, child.Key.ToLowerInvariant()));
            var suggestion = closest is not null && EditDistance(closest.Key, child.Key.ToLowerInvariant()) <= 3
                ? $"did you mean '{Dotted(prefix, closest.Key)}'? "
                : "";
            var known = string.Join(", ", properties.Select(p => p.Key));
            Error(child.Path, "unknown key", $"{suggestion}known keys here: {known}");
        }
    }

    private void Missing(string key, string what)
    {
        var parent = key.Contains(':', StringComparison.Ordinal) ? key[..key.LastIndexOf(':')] : null;
        var origin = parent is null ? null : ConfigurationOrigins.Describe(_configuration, parent);
        _errors.Add(new SettingsError(origin, ToDotted(key), $"the {what} is missing", "add it (hocon/reference.conf lists every key with its default)"));
    }

    private void Error(string key, string problem, string? fix) =>
        _errors.Add(new SettingsError(ConfigurationOrigins.Describe(_configuration, key), ToDotted(key), problem, fix));

    private static string Dotted(string prefix, string key) => prefix.Length == 0 ? key : $"{ToDotted(prefix)}.{key}";

    public static string ToDotted(string configurationKey) => configurationKey.Replace(':', '.');

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
