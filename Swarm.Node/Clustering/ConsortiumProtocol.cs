namespace Swarm.Node.Clustering;

/// <summary>The consortium file a member has in force, as it told another member (swarm.proto ConsortiumHello):
/// <paramref name="From"/> is the member whose signature on the envelope was verified, never a field. A hello with
/// <paramref name="Reply"/> false asks the receiver for its own.</summary>
public sealed record ConsortiumHello(string From, long Version, string Digest, bool Reply)
{
    /// <summary>"v{version} {first 12 hex digits of the digest}", as <see cref="Identity.Consortium.VersionLabel"/>.</summary>
    public string Label => $"v{Version} {Digest[..Math.Min(12, Digest.Length)]}";
}

/// <summary>Tells the <see cref="ConsortiumGreeter"/> to send this node's consortium version to every member that is
/// up (after a reload).</summary>
public sealed record GreetMembers
{
    public static GreetMembers Instance { get; } = new();
}
