namespace Swarm.Node.Configuration;

/// <summary>The shape an entry of this node's own data declares: what the task's model is built for.</summary>
public interface IOwnDataSettings
{
    int Channels { get; }

    int ImageSize { get; }

    IReadOnlyList<string> Classes { get; }
}
