using System.Text;

namespace Swarm.Node.Configuration.Hocon;

/// <summary>A path into a configuration tree, one element per key (<c>network.listen-port</c> has two). Elements
/// that contain a '.' or other special characters are written quoted: <c>a."b.c"</c>.</summary>
public sealed class HoconPath : IEquatable<HoconPath>
{
    private readonly string[] _segments;

    public HoconPath(IEnumerable<string> segments)
    {
        _segments = [.. segments];
    }

    /// <summary>The empty path: the root object.</summary>
    public static HoconPath Root { get; } = new([]);

    public IReadOnlyList<string> Segments => _segments;

    public int Count => _segments.Length;

    public bool IsRoot => _segments.Length == 0;

    public HoconPath Append(string segment) => new([.. _segments, segment]);

    /// <summary>True when this path equals <paramref name="other"/> or is one of its ancestors.</summary>
    public bool IsPrefixOf(HoconPath other)
    {
        if (_segments.Length > other._segments.Length)
        {
            return false;
        }
        for (var i = 0; i < _segments.Length; i++)
        {
            if (!string.Equals(_segments[i], other._segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Parses a path expression such as <c>a.b</c> or <c>a."b.c"</c>.</summary>
    public static HoconPath Parse(string text, HoconOrigin? origin = null)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        var quotedPart = false;
        var i = 0;
        text = text.Trim();
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0)
                {
                    throw new HoconException(origin, null, $"unterminated quote in path '{text}'");
                }
                current.Append(text, i + 1, end - i - 1);
                quotedPart = true;
                i = end + 1;
            }
            else if (c == '.')
            {
                EndSegment(segments, current, quotedPart, text, origin);
                quotedPart = false;
                i++;
            }
            else
            {
                current.Append(c);
                i++;
            }
        }
        EndSegment(segments, current, quotedPart, text, origin);
        return new HoconPath(segments);
    }

    private static void EndSegment(List<string> segments, StringBuilder current, bool quoted, string text, HoconOrigin? origin)
    {
        if (current.Length == 0 && !quoted)
        {
            throw new HoconException(origin, null, $"path '{text}' has an empty element (two dots, or a dot at an end)");
        }
        segments.Add(current.ToString());
        current.Clear();
    }

    /// <summary>The path as configuration keys are written: elements joined by '.', quoted where needed.</summary>
    public override string ToString() => string.Join('.', _segments.Select(QuoteIfNeeded));

    /// <summary>The path as a Microsoft.Extensions.Configuration key: elements joined by ':'.</summary>
    public string ToConfigurationKey() => string.Join(':', _segments);

    public static HoconPath FromConfigurationKey(string key) => new(key.Split(':'));

    private static string QuoteIfNeeded(string segment) =>
        segment.Length > 0 && segment.All(c => char.IsLetterOrDigit(c) || c is '-' or '_')
            ? segment
            : "\"" + segment.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public bool Equals(HoconPath? other) =>
        other is not null && _segments.AsSpan().SequenceEqual(other._segments);

    public override bool Equals(object? obj) => Equals(obj as HoconPath);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var s in _segments)
        {
            hash.Add(s, StringComparer.Ordinal);
        }
        return hash.ToHashCode();
    }
}
