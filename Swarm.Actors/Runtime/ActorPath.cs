using System.Text;

namespace Swarm.Actors.Runtime;

/// <summary>
/// The address of an actor: <c>swarm://node-id/user/parent/child</c>. The node id says which swarm node hosts the
/// actor, so a network transport can route a message by looking at it alone; the elements name the actor's place in
/// its node's supervision tree. Paths are values: two paths are equal when their text is equal.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    /// <summary>The scheme every address starts with.</summary>
    public const string Scheme = "swarm://";

    /// <summary>Longest node id or path element accepted, in characters.</summary>
    public const int ElementCharsMax = 128;

    /// <summary>Most path elements accepted (depth of the supervision tree plus the guardian).</summary>
    public const int ElementsMax = 64;

    private readonly string[] _elements;
    private readonly string _text;

    private ActorPath(string nodeId, string[] elements)
    {
        NodeId = nodeId;
        _elements = elements;
        _text = Format(nodeId, elements);
    }

    /// <summary>The node that hosts the actor (the actor system's name).</summary>
    public string NodeId { get; }

    /// <summary>The path elements below the node, e.g. <c>["user", "ledger"]</c>.</summary>
    public IReadOnlyList<string> Elements => _elements;

    /// <summary>The last element (the actor's name), or the empty string for a node's root.</summary>
    public string Name => _elements.Length == 0 ? string.Empty : _elements[^1];

    /// <summary>The path of the parent, or null for a node's root.</summary>
    public ActorPath? Parent => _elements.Length == 0 ? null : new ActorPath(NodeId, _elements[..^1]);

    /// <summary>The root of a node's tree (<c>swarm://node-id</c>).</summary>
    public static ActorPath Root(string nodeId)
    {
        if (ElementError(nodeId, "node id", allowDollar: false) is { } error)
        {
            throw new ArgumentException(error, nameof(nodeId));
        }
        return new ActorPath(nodeId, []);
    }

    /// <summary>The path of a child named <paramref name="name"/>.</summary>
    public ActorPath Child(string name)
    {
        if (ElementError(name, "path element", allowDollar: true) is { } error)
        {
            throw new ArgumentException(error, nameof(name));
        }
        if (_elements.Length >= ElementsMax)
        {
            throw new ArgumentException($"an actor path has at most {ElementsMax} elements", nameof(name));
        }
        return new ActorPath(NodeId, [.. _elements, name]);
    }

    /// <summary>Parses an address; bad input is an error value naming what is wrong, never an exception.</summary>
    public static bool TryParse(string? text, out ActorPath? path, out string? error)
    {
        path = null;
        error = ParseError(text, out var nodeId, out var elements);
        if (error is not null)
        {
            return false;
        }
        path = new ActorPath(nodeId!, elements!);
        return true;
    }

    /// <summary>Parses an address from trusted input; throws <see cref="FormatException"/> naming the problem.</summary>
    public static ActorPath Parse(string text) =>
        TryParse(text, out var path, out var error) ? path! : throw new FormatException($"bad actor path '{text}': {error}");

    /// <summary>Whether <paramref name="name"/> may name an actor created by user code (no leading '$').</summary>
    public static string? NameError(string name) => ElementError(name, "actor name", allowDollar: false);

    private static string? ParseError(string? text, out string? nodeId, out string[]? elements)
    {
        nodeId = null;
        elements = null;
        if (string.IsNullOrEmpty(text))
        {
            return "the address is empty";
        }
        if (!text.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return $"the address must start with '{Scheme}'";
        }
        var rest = text[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        nodeId = slash < 0 ? rest : rest[..slash];
        if (ElementError(nodeId, "node id", allowDollar: false) is { } nodeError)
        {
            return nodeError;
        }
        elements = slash < 0 ? [] : rest[(slash + 1)..].Split('/');
        if (elements.Length > ElementsMax)
        {
            return $"the address has {elements.Length} path elements; at most {ElementsMax} are allowed";
        }
        for (var i = 0; i < elements.Length; i++)
        {
            if (ElementError(elements[i], $"path element {i + 1}", allowDollar: true) is { } elementError)
            {
                return elementError;
            }
        }
        return null;
    }

    private static string? ElementError(string? element, string what, bool allowDollar)
    {
        if (string.IsNullOrEmpty(element))
        {
            return $"{what} is empty";
        }
        if (element.Length > ElementCharsMax)
        {
            return $"{what} has {element.Length} characters; at most {ElementCharsMax} are allowed";
        }
        for (var i = 0; i < element.Length; i++)
        {
            var c = element[i];
            var ok = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || c == '$' && allowDollar;
            if (!ok)
            {
                return $"{what} '{element}' has the character '{c}' at {i}; allowed are ASCII letters, digits and - _ . ~"
                    + (allowDollar ? " $" : string.Empty);
            }
        }
        return null;
    }

    private static string Format(string nodeId, string[] elements)
    {
        var builder = new StringBuilder(Scheme).Append(nodeId);
        foreach (var element in elements)
        {
            builder.Append('/').Append(element);
        }
        return builder.ToString();
    }

    public bool Equals(ActorPath? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ActorPath);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    public override string ToString() => _text;
}
