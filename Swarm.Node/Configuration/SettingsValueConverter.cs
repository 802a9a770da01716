using System.Globalization;
using System.Reflection;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>Converts a configuration string to a setting's type: numbers, booleans, enums (written in kebab case),
/// durations ("5s") for <see cref="TimeSpan"/>, and sizes ("64MiB") for longs marked with <see cref="SizeRangeAttribute"/>.</summary>
public static class SettingsValueConverter
{
    public static bool TryConvert(string raw, PropertyInfo property, out object? value, out string problem)
    {
        var type = property.PropertyType;
        value = null;
        problem = "";
        var text = raw.Trim();
        if (type == typeof(string))
        {
            value = raw;
            return true;
        }
        if (type == typeof(long) && property.GetCustomAttribute<SizeRangeAttribute>() is not null)
        {
            return Result(HoconSize.TryParse(text, out var bytes), bytes, HoconSize.Expected, raw, out value, out problem);
        }
        if (type == typeof(int))
        {
            var ok = int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i);
            return Result(ok, i, "a whole number", raw, out value, out problem);
        }
        if (type == typeof(long))
        {
            var ok = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l);
            return Result(ok, l, "a whole number", raw, out value, out problem);
        }
        if (type == typeof(double))
        {
            var ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d);
            return Result(ok, d, "a number", raw, out value, out problem);
        }
        if (type == typeof(bool))
        {
            var ok = bool.TryParse(text, out var b);
            return Result(ok, b, "true or false", raw, out value, out problem);
        }
        if (type == typeof(TimeSpan))
        {
            return Result(HoconDuration.TryParse(text, out var t), t, HoconDuration.Expected, raw, out value, out problem);
        }
        if (type.IsEnum)
        {
            var match = Enum.GetNames(type).FirstOrDefault(n => string.Equals(Normalize(n), Normalize(text), StringComparison.OrdinalIgnoreCase));
            var expected = "one of " + string.Join(", ", EnumNames(type));
            return Result(match is not null, match is null ? null : Enum.Parse(type, match), expected, raw, out value, out problem);
        }
        throw new InvalidOperationException($"settings property {property.DeclaringType?.Name}.{property.Name} has unsupported type {type.Name}");
    }

    /// <summary>The names of an enum's values as configuration files write them (kebab case).</summary>
    public static IEnumerable<string> EnumNames(Type type) => Enum.GetNames(type).Select(SettingsProperty.KeyOf);

    /// <summary>A setting value as configuration files write it (durations and sizes with units, enums in kebab case).</summary>
    public static string Format(object? value, PropertyInfo property) => value switch
    {
        null => "",
        TimeSpan t => HoconDuration.Format(t),
        long l when property.GetCustomAttribute<SizeRangeAttribute>() is not null => HoconSize.Format(l),
        Enum e => SettingsProperty.KeyOf(e.ToString()),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Normalize(string name) => name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);

    private static bool Result(bool ok, object? parsed, string expected, string raw, out object? value, out string problem)
    {
        value = ok ? parsed : null;
        problem = ok ? "" : $"expected {expected}, got \"{raw}\"";
        return ok;
    }
}
