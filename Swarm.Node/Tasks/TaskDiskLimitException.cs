namespace Swarm.Node.Tasks;

/// <summary>A task's blobs would pass <c>tasks.disk-per-task-max</c> on this node.</summary>
public sealed class TaskDiskLimitException(string message) : IOException(message);
