namespace Swarm.Actors.Platform;

/// <summary>An actor of some node: the node's id and the actor's path within it (<c>/user/tasks/t-1</c>). Written
/// <c>swarm://node-1/user/tasks/t-1</c>.</summary>
public readonly record struct PeerAddress(string Node, string Path)
{
    public const string Scheme = "swarm://";

    public override string ToString() => $"{Scheme}{Node}{Path}";

    /// <summary>Parses <c>swarm://node/user/...</c>; null (with the reason) when it is not one.</summary>
    public static PeerAddress? TryParse(string text, out string? problem)
    {
        problem = null;
        if (!text.StartsWith(Scheme, StringComparison.Ordinal))
        {
            problem = $"'{text}' does not start with {Scheme}";
            return null;
        }
        var rest = text[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !rest[(slash + 1)..].StartsWith("user", StringComparison.Ordinal))
        {
            problem = $"'{text}' names no node and /user actor";
            return null;
        }
        var path = rest[slash..];
        if (path.Split('/').Skip(1).Any(e => e.Length == 0 || e.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))))
        {
            problem = $"'{text}' has an empty or invalid path element";
            return null;
        }
        return new PeerAddress(rest[..slash], path);
    }
}
