namespace Swarm.Tasks;

/// <summary>Where a task stands on one node.</summary>
public enum TaskState
{
    Starting,
    Running,
    Completed,
    Cancelled,
    Failed,
}
