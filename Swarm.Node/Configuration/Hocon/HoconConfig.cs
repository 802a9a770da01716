using System.Globalization;

namespace Swarm.Node.Configuration.Hocon;

/// <summary>A resolved configuration with typed accessors. Paths are dotted (<c>network.listen-port</c>); a missing
/// key or a value of the wrong type is a <see cref="HoconException"/> naming the file, line and key.</summary>
public sealed class HoconConfig(HoconObject root)
{
    public HoconObject Root { get; } = root;

    public bool HasPath(string path) => Root.Find(HoconPath.Parse(path)) is not null;

    public HoconValue GetValue(string path) =>
        Root.Find(HoconPath.Parse(path)) ?? throw new HoconException(null, path, "the key is missing from the configuration");

    public HoconConfig GetConfig(string path) => GetValue(path) is HoconObject obj
        ? new HoconConfig(obj)
        : throw WrongType(path, GetValue(path), "an object");

    public string GetString(string path)
    {
        var value = GetValue(path);
        return value is { IsScalar: true, ScalarText: { } text } ? text : throw WrongType(path, value, "a string");
    }

    public long GetLong(string path)
    {
        var value = GetValue(path);
        return value switch
        {
            HoconNumber { IsIntegral: true } n => n.IntegralValue,
            HoconString s when long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
            _ => throw WrongType(path, value, "a whole number"),
        };
    }

    public int GetInt(string path)
    {
        var value = GetLong(path);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new HoconException(GetValue(path).Origin, path, $"{value} is too large for this setting");
    }

    public double GetDouble(string path)
    {
        var value = GetValue(path);
        return value switch
        {
            HoconNumber n => n.Value,
            HoconString s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw WrongType(path, value, "a number"),
        };
    }

    public bool GetBoolean(string path)
    {
        var value = GetValue(path);
        return value switch
        {
            HoconBoolean b => b.Value,
            HoconString { Value: "true" or "yes" or "on" } => true,
            HoconString { Value: "false" or "no" or "off" } => false,
            _ => throw WrongType(path, value, "true or false"),
        };
    }

    public TimeSpan GetDuration(string path)
    {
        var value = GetValue(path);
        return value switch
        {
            HoconNumber n => TimeSpan.FromMilliseconds(n.Value),
            HoconString s when HoconDuration.TryParse(s.Value, out var d) => d,
            _ => throw WrongType(path, value, HoconDuration.Expected),
        };
    }

    public long GetBytes(string path)
    {
        var value = GetValue(path);
        return value switch
        {
            HoconNumber { IsIntegral: true } n => n.IntegralValue,
            HoconString s when HoconSize.TryParse(s.Value, out var b) => b,
            _ => throw WrongType(path, value, HoconSize.Expected),
        };
    }

    public IReadOnlyList<HoconValue> GetList(string path)
    {
        var value = GetValue(path);
        return value is HoconArray array ? array.Items : throw WrongType(path, value, "an array");
    }

    public IReadOnlyList<string> GetStringList(string path) =>
        [.. GetList(path).Select((v, i) => v is { IsScalar: true, ScalarText: { } t } ? t : throw WrongType($"{path}.{i}", v, "a string"))];

    private static HoconException WrongType(string path, HoconValue value, string expected)
    {
        var got = value is { IsScalar: true, ScalarText: { } t } and not HoconNull ? $"\"{t}\"" : value.KindName;
        return new HoconException(value.Origin, path, $"expected {expected}, got {got}");
    }
}
