namespace Swarm.Node.Networking;

/// <summary>The address of an actor on some node: <c>swarm://node-id/user/...</c>. A remote actor ref sends to
/// <see cref="NodeId"/> through the <see cref="PeerTransport"/> with <c>to_actor_path</c> = <see cref="Path"/>.</summary>
public sealed record ActorAddress(string NodeId, string Path)
{
    public const string Scheme = "swarm://";

    public const int PathLengthMax = 1024;

    public override string ToString() => $"{Scheme}{NodeId}{Path}";

    /// <summary>Parses an address; on failure <paramref name="problem"/> says what is wrong with it.</summary>
    public static bool TryParse(string? text, out ActorAddress address, out string problem)
    {
        address = new ActorAddress("", "");
        problem = "";
        if (text is null || !text.StartsWith(Scheme, StringComparison.Ordinal))
        {
            problem = $"'{text}' does not start with {Scheme}";
            return false;
        }
        var rest = text.AsSpan(Scheme.Length);
        var slash = rest.IndexOf('/');
        var node = (slash < 0 ? rest : rest[..slash]).ToString();
        var path = slash < 0 ? "" : rest[slash..].ToString();
        var nodeProblem = Identity.NodeId.Problem(node);
        problem = nodeProblem is not null ? $"node id '{node}' {nodeProblem}"
            : path.Length < 2 ? $"'{text}' has no actor path after the node id"
            : path.Length > PathLengthMax ? $"actor path is longer than {PathLengthMax} characters"
            : path.Contains("//", StringComparison.Ordinal) || path.EndsWith('/') ? $"actor path '{path}' has an empty segment"
            : path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? $"actor path '{path}' contains whitespace or control characters"
            : "";
        if (problem.Length > 0)
        {
            return false;
        }
        address = new ActorAddress(node, path);
        return true;
    }
}
