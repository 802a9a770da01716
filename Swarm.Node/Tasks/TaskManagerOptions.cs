using Akka.Actor;
using Swarm.Node.Security;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>What a node's task manager needs: who it is, its policy and data, the consortium's members, and the
/// factory of task peers (null: this node has no task engine, so consented tasks fail here with that reason).</summary>
public sealed record TaskManagerOptions(
    string NodeId,
    LocalPolicy Policy,
    ITaskDataSource Data,
    Func<string, bool> IsMember,
    Func<TaskLaunch, Props>? Peers)
{
    /// <summary>How long the submitter waits for every participant's answer; then the task is aborted.</summary>
    public TimeSpan ConsentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a consenting participant waits for StartTask (or AbortTask) before it forgets the task.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How often the submitter sends a start again to the participants that have not acknowledged it
    /// (well within <see cref="StartTimeout"/>, so one lost start does not make a participant forget the task).</summary>
    public TimeSpan StartResendInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long list, show and cancel wait for a task peer's <c>TaskProgress</c>.</summary>
    public TimeSpan ProgressTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where started tasks are recorded so that a restarted node resumes them (none: nothing resumes).</summary>
    public ITaskJournal? Journal { get; init; }

    /// <summary>Called when a task peer cannot start because the consensus state it stored for its chain cannot be
    /// read (<c>ReplicaStateException</c>): the replica must not run without it (it could vote twice), so the node
    /// stops and <c>swarm node</c> exits with <c>ExitCodes.Environment</c> (4) and the message.</summary>
    public Action<string>? OnUnreadableReplicaState { get; init; }

    /// <summary>Where the manager records what peers proposed and what this node answered, held tasks' ends, and
    /// tasks the policy no longer allows at a restart (none: not recorded).</summary>
    public AuditLog? Audit { get; init; }

    /// <summary>What else this node lacks for a spec, checked at consent beside its data (a data-vector task's pinned
    /// pre-trained model); null when nothing.</summary>
    public Func<TaskSpec, string?>? SpecProblem { get; init; }

    /// <summary>This node's signing key and the members' keys: consents carry this node's signed sample count and
    /// the participants' are checked (docs/tasks.md). Null: no declarations (tests of the consent alone).</summary>
    public SampleSigning? Samples { get; init; }

    /// <summary>Most tasks (of any state) and submissions a node keeps; more are refused.</summary>
    public int TasksMax { get; init; } = 1024;

    /// <summary>Most tasks this node takes part in at once (awaiting approval, starting or running); a task over it is
    /// refused at consent (<c>tasks.running-max</c>).</summary>
    public int RunningMax { get; init; } = 16;

    /// <summary>How long an ask of the manager (submit) may take: every answer plus a margin.</summary>
    public TimeSpan SubmitAskTimeout => ConsentTimeout + ProgressTimeout;
}
