using Swarm.Actors.Platform;
using Swarm.Tasks;

namespace Swarm.Actors.Tasks;

/// <summary>Where a node keeps its tasks: the task manager is <c>/user/tasks</c> and each task's local peer (its
/// chain replica, trainer and round protocol) is the manager's child <c>/user/tasks/&lt;task-id&gt;</c>, so the
/// peers of one task address each other as <c>swarm://&lt;node&gt;/user/tasks/&lt;task-id&gt;</c>.</summary>
public static class TaskPaths
{
    public const string ManagerName = "tasks";

    public static PeerAddress Manager(string nodeId) => new(nodeId, $"/user/{ManagerName}");

    public static PeerAddress Peer(string nodeId, string taskId) => new(nodeId, $"/user/{ManagerName}/{taskId}");
}

/// <summary>Asked of a task's local peer; answered with <see cref="TaskProgress"/>.</summary>
public sealed record GetTaskProgress
{
    public static GetTaskProgress Instance { get; } = new();
}

/// <summary>Told to a task's local peer: cancel the task. The peer records the cancellation on the task's chain, so
/// every participant stops at the same height, and answers <see cref="TaskProgress"/>.</summary>
public sealed record CancelTask(string Reason);
