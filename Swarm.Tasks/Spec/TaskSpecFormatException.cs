namespace Swarm.Tasks;

/// <summary>Bytes that are not a task spec in <see cref="TaskSpecCodec"/>'s format.</summary>
public sealed class TaskSpecFormatException(string message) : Exception(message);
