namespace Swarm.Node.Service;

/// <summary>The node cannot start because something it needs is missing or unusable (identity files, consortium
/// file, store, port). An expected fault: <c>swarm node</c> prints the message and exits with
/// <c>ExitCodes.Environment</c>.</summary>
public sealed class NodeStartException(string message, Exception? inner = null) : Exception(message, inner);
