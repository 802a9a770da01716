namespace Swarm.Node.Networking;

/// <summary>A link stopped for a reason the transport recovers from (peer silent, peer sent something invalid).</summary>
public sealed class LinkFailureException(string message) : Exception(message);
