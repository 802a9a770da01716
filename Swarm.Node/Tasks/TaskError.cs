namespace Swarm.Node.Tasks;

/// <summary>The body of a task endpoint's error answer (404 and the like).</summary>
public sealed record TaskError(string Error);
