using System.Reflection;
using System.Text;

namespace Swarm.Node.Configuration;

/// <summary>A property of a settings record and its configuration key: PascalCase <c>FrameBytesMax</c> is written
/// <c>frame-bytes-max</c>. A property whose type is a class (other than string) is a nested section.</summary>
public sealed record SettingsProperty(PropertyInfo Info, string Key)
{
    public bool IsSection => Info.PropertyType.IsClass && Info.PropertyType != typeof(string);

    /// <summary>A list of strings, written as a HOCON array (<c>allowed-datasets = [a, b]</c>).</summary>
    public bool IsStringList => Info.PropertyType == typeof(IReadOnlyList<string>);

    /// <summary>Sections under names the operator chooses (<c>data.sets.NAME { ... }</c>): the value type of an
    /// <see cref="IReadOnlyDictionary{TKey, TValue}"/> keyed by string; null for other properties.</summary>
    public Type? MapValueType => Info.PropertyType is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)
        && t.GetGenericArguments()[0] == typeof(string) ? t.GetGenericArguments()[1] : null;

    public bool IsSecret => Info.GetCustomAttribute<SecretAttribute>() is not null;

    public static IReadOnlyList<SettingsProperty> Of(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<NotASettingAttribute>() is null)
            .Select(p => new SettingsProperty(p, KeyOf(p.Name)))];

    public static string KeyOf(string propertyName)
    {
        var key = new StringBuilder();
        for (var i = 0; i < propertyName.Length; i++)
        {
            var c = propertyName[i];
            if (char.IsUpper(c) && i > 0)
            {
                key.Append('-');
            }
            key.Append(char.ToLowerInvariant(c));
        }
        return key.ToString();
    }

    /// <summary>Every leaf setting below <paramref name="type"/> as a dotted key, with its property.</summary>
    public static IEnumerable<(string Key, SettingsProperty Property)> Leaves(Type type, string prefix = "")
    {
        foreach (var property in Of(type))
        {
            var key = prefix.Length == 0 ? property.Key : $"{prefix}.{property.Key}";
            if (property.MapValueType is not null)
            {
                continue; // its keys are names the operator chooses, not fixed settings
            }
            if (property.IsSection)
            {
                foreach (var leaf in Leaves(property.Info.PropertyType, key))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return (key, property);
            }
        }
    }
}
