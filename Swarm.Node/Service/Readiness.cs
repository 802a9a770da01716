namespace Swarm.Node.Service;

/// <summary>One thing a node needs before it can serve: its name, whether it holds, and what was seen.</summary>
public sealed record ReadinessCheck(string Name, bool Ok, string Detail);

/// <summary>The answer of <c>GET /health/ready</c>: ready when every check holds.</summary>
public sealed record ReadinessReport(string Node, bool Ready, IReadOnlyList<ReadinessCheck> Checks)
{
    public static ReadinessReport Of(string node, IReadOnlyList<ReadinessCheck> checks) => new(node, checks.All(c => c.Ok), checks);
}

/// <summary>The checks behind <c>/health/ready</c>, as pure functions of what the node holds, so that each failure
/// is named the same way everywhere.</summary>
public static class Readiness
{
    /// <summary>The store answers a read of its head.</summary>
    public static ReadinessCheck Store(Func<string> readHead)
    {
        try
        {
            return new ReadinessCheck("store", true, readHead());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ReadinessCheck("store", false, $"the store does not answer: {e.Message}");
        }
    }

    /// <summary>A node with a consortium needs its file loaded and its mutual-TLS transport listening; a node
    /// without one runs alone and needs neither.</summary>
    public static IReadOnlyList<ReadinessCheck> Peers(bool consortiumConfigured, int? consortiumMembers, string? listening) =>
        !consortiumConfigured
            ?
            [
                new ReadinessCheck("consortium", true, "none configured: the node runs alone"),
                new ReadinessCheck("transport", true, "none: the node runs alone"),
            ]
            :
            [
                consortiumMembers is { } members
                    ? new ReadinessCheck("consortium", true, $"{members} members loaded")
                    : new ReadinessCheck("consortium", false, "the consortium file is not loaded"),
                listening is not null
                    ? new ReadinessCheck("transport", true, $"listening on {listening}")
                    : new ReadinessCheck("transport", false, "the peer transport is not listening"),
            ];

    /// <summary>The membership actor answered within the node's ask timeout.</summary>
    public static ReadinessCheck Actors(bool answered, TimeSpan timeout) => answered
        ? new ReadinessCheck("actors", true, "the membership actor answers")
        : new ReadinessCheck("actors", false, $"the membership actor did not answer within {timeout.TotalSeconds:0.#} s");
}
