namespace Swarm.Tasks;

/// <summary>Where a task stands on one node.</summary>
public enum TaskState
{
    Starting,
    Running,
    Completed,
    Cancelled,
    Failed,

    /// <summary>The task passed this node's policy and waits for its operator (policy.approval = manual).</summary>
    AwaitingApproval,

    /// <summary>This node's operator rejected the task; it never ran here.</summary>
    Rejected,
}
