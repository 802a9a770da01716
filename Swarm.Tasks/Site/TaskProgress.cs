namespace Swarm.Tasks;

/// <summary>A task's progress as one node sees it: the round it is in (the last finalized round when completed),
/// the global model hash of the last finalized round, and the height of the task's chain.</summary>
public sealed record TaskProgress(string TaskId, TaskState State, int Round, int Rounds, string? ModelHash, long ChainHeight, string? Detail);
