using Swarm.Tasks;

namespace Swarm.Node.Tasks;

// Between task managers (/user/tasks on each node; docs/tasks.md). Every message names its sender in From, which
// the wire codec sets from the link's authenticated peer, never from a field of the message.

/// <summary>Submitter → each participant: will you take part in this task? Answered with <see cref="TaskAnswer"/>.</summary>
public sealed record CreateTask(string From, byte[] SpecBytes);

/// <summary>Participant → submitter: consent, or a refusal with its reason, for the spec with this digest.</summary>
public sealed record TaskAnswer(string From, string TaskId, byte[] SpecDigest, bool Consents, string? Reason)
{
    /// <summary>With a consent: the participant's signed sample count for the task (docs/tasks.md).</summary>
    public SampleDeclaration? Declaration { get; init; }
}

/// <summary>Submitter → each participant, once all have consented: start the task. Sent again (every
/// <c>StartResendInterval</c>, across the submitter's restarts) until the participant answers with
/// <see cref="StartTaskAck"/>; a participant starts a task once and acknowledges every copy.</summary>
public sealed record StartTask(string From, string TaskId, byte[] SpecDigest)
{
    /// <summary>Every participant's sample declaration, in participant order, as the submitter checked them; the
    /// task's chain fixes the FedAvg weights from them.</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];
}

/// <summary>Participant → submitter: the start of this task arrived (it started here, or had already).</summary>
public sealed record StartTaskAck(string From, string TaskId, byte[] SpecDigest);

/// <summary>Submitter → each participant when a participant refused or did not answer in time: forget the task.</summary>
public sealed record AbortTask(string From, string TaskId, byte[] SpecDigest, string Reason);

// Asked of the local manager (by the node's HTTP endpoint).

/// <summary>Submit a task from this node; answered with <see cref="SubmitTaskResult"/> once every participant has
/// answered (or the consent timeout has passed).</summary>
public sealed record SubmitTask(byte[] SpecBytes);

/// <summary>Whether the task started; <see cref="Error"/> when it was not even sent (bad spec, duplicate id,
/// unknown participant), otherwise every participant's answer.</summary>
public sealed record SubmitTaskResult(string TaskId, string SpecDigest, bool Started, IReadOnlyList<ParticipantAnswer> Answers, string? Error)
{
    public static SubmitTaskResult Rejected(string taskId, string error) => new(taskId, "", false, [], error);
}

/// <summary>Answered with <see cref="TaskList"/>.</summary>
public sealed record ListTasks
{
    public static ListTasks Instance { get; } = new();
}

/// <summary>Every task this node knows, in the order it learned of them.</summary>
public sealed record TaskList(IReadOnlyList<TaskInfo> Tasks);

/// <summary>Answered with <see cref="TaskInfo"/> or <see cref="TaskNotFound"/>.</summary>
public sealed record ShowTask(string TaskId);

/// <summary>Cancel a task on this node (its peer records the cancellation on the task's chain); answered with the
/// task's <see cref="TaskInfo"/> after the peer's answer, or <see cref="TaskNotFound"/>.</summary>
public sealed record CancelTaskRequest(string TaskId, string Reason);

/// <summary>The operator approves a task that waits for this node's approval; answered with the task's
/// <see cref="TaskInfo"/> (now Starting: the consent has left), <see cref="TaskNotFound"/>, or <see cref="TaskDecisionRefused"/>.</summary>
public sealed record ApproveTaskRequest(string TaskId);

/// <summary>The operator rejects a task that waits for this node's approval; answered like <see cref="ApproveTaskRequest"/>.</summary>
public sealed record RejectTaskRequest(string TaskId, string Reason);

/// <summary>The task exists but does not wait for approval (already decided, aborted, or never held).</summary>
public sealed record TaskDecisionRefused(string TaskId, string Reason);

/// <summary>What a cancel, approve or reject came to: the task after it, or why it could not be done (the task
/// does not wait for approval), or neither when the node has no such task.</summary>
public sealed record TaskDecision(TaskInfo? Info, string? Error)
{
    public static TaskDecision NotFound { get; } = new(null, null);
}

/// <summary>No task with this id on this node.</summary>
public sealed record TaskNotFound(string TaskId);

/// <summary>A task as this node sees it: who submitted it, its members, its spec digest and its progress.</summary>
public sealed record TaskInfo(string TaskId, string Submitter, IReadOnlyList<string> Participants, string SpecDigest, TaskProgress Progress)
{
    /// <summary>Each participant's training samples as declared at consent and carried by the start (its FedAvg
    /// weight for the task), in participant order; empty when this node has none (not started yet, or a task started
    /// before declarations existed).</summary>
    public IReadOnlyList<ParticipantSamples> SampleCounts { get; init; } = [];
}

/// <summary>A participant's declared training samples for a task.</summary>
public sealed record ParticipantSamples(string Node, long SampleCount);
