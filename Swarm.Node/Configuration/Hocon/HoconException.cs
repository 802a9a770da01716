namespace Swarm.Node.Configuration.Hocon;

/// <summary>A configuration text that cannot be read or resolved. The message names the file, the line and the key,
/// e.g. <c>node.conf:12: key 'network.listen-port': expected a number, got "abc"</c>.</summary>
public sealed class HoconException : Exception
{
    public HoconException(HoconOrigin? origin, string? key, string reason)
        : base(Format(origin, key, reason))
    {
        Origin = origin;
        Key = key;
        Reason = reason;
    }

    /// <summary>Where the offending text is, when known.</summary>
    public HoconOrigin? Origin { get; }

    /// <summary>The file (or source name) of the offending text, when known.</summary>
    public string? File => Origin?.Source;

    /// <summary>The 1-based line of the offending text, when known.</summary>
    public int? Line => Origin?.Line;

    /// <summary>The dotted key the error is about, when there is one.</summary>
    public string? Key { get; }

    /// <summary>What is wrong, without the location prefix.</summary>
    public string Reason { get; }

    public static string Format(HoconOrigin? origin, string? key, string reason)
    {
        var prefix = origin is { } o ? $"{o}: " : "";
        var keyPart = string.IsNullOrEmpty(key) ? "" : $"key '{key}': ";
        return prefix + keyPart + reason;
    }
}
