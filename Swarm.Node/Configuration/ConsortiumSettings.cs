namespace Swarm.Node.Configuration;

/// <summary><c>consortium { file }</c>: the file listing member nodes, their endpoints and public keys.</summary>
public sealed record ConsortiumSettings
{
    /// <summary>Empty for a node that runs alone (development, simulation).</summary>
    public string File { get; init; } = "";
}
