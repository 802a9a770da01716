using Swarm.Tasks;

namespace Swarm.Node.Tasks;

// Asked of the local manager by the node itself (swarm task similar): the specs behind the registry.

/// <summary>Answered with <see cref="TaskSpecList"/>.</summary>
public sealed record ListTaskSpecs
{
    public static ListTaskSpecs Instance { get; } = new();
}

/// <summary>Every task this node knows, with its spec and its progress (as <see cref="ListTasks"/> gives it).</summary>
public sealed record TaskSpecList(IReadOnlyList<KnownTaskSpec> Tasks);

/// <summary>A task's spec and what the node's list shows of it.</summary>
public sealed record KnownTaskSpec(TaskSpec Spec, TaskInfo Info);
