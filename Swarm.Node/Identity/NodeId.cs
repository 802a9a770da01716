using System.Text.RegularExpressions;

namespace Swarm.Node.Identity;

/// <summary>Rules for node ids: they appear in certificates (CN), consortium files, actor paths
/// (<c>swarm://node-id/user/...</c>) and log lines, so they are short, lowercase and free of separators.</summary>
public static partial class NodeId
{
    public const int LengthMax = 63;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Null when <paramref name="id"/> is a valid node id, otherwise what is wrong with it.</summary>
    public static string? Problem(string? id) =>
        string.IsNullOrEmpty(id) ? "is empty"
        : id.Length > LengthMax ? $"is longer than {LengthMax} characters"
        : Pattern().IsMatch(id) ? null
        : "must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit";
}
