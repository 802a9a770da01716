namespace Swarm.Tasks;

/// <summary>What reaches a node's consent bookkeeping, as <see cref="ConsentState.Step"/> takes it.</summary>
public abstract record ConsentInput;

/// <summary>This node submits <paramref name="Spec"/> (already checked: valid, participants known, id free).</summary>
public sealed record SubmissionOpened(TaskSpec Spec, byte[] SpecBytes, byte[] Digest) : ConsentInput;

/// <summary>A participant's answer to one of this node's submissions.</summary>
public sealed record AnswerArrived(string From, string TaskId, byte[] Digest, bool Consents, string? Reason) : ConsentInput
{
    /// <summary>With a consent: the participant's signed sample count (checked before the consent counts).</summary>
    public SampleDeclaration? Declaration { get; init; }
}

/// <summary>The consent timeout of this node's submission of <paramref name="TaskId"/> passed.</summary>
public sealed record ConsentTimeoutPassed(string TaskId) : ConsentInput;

/// <summary>A submitter asks this node to take part. The facts the decision needs that only the node knows come
/// with it: whether the id is in use here, whether the node keeps as many tasks as it may, and what is wrong with
/// the named data set (null when nothing).</summary>
public sealed record CreateArrived(string From, TaskSpec Spec, byte[] SpecBytes, byte[] Digest, bool IdInUse, string? CapacityProblem, string? DataProblem)
    : ConsentInput
{
    /// <summary>This node's training samples for the task (its data set's train split after its limits): what it
    /// declares with its consent. Null when they were not counted (no data, or a data problem says why).</summary>
    public long? SampleCount { get; init; }
}

/// <summary>The submitter of a task this node consented to starts it.</summary>
public sealed record StartArrived(string From, string TaskId, byte[] Digest) : ConsentInput
{
    /// <summary>Every participant's sample declaration, in participant order, as the submitter checked them.</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];
}

/// <summary>The submitter of a task this node consented to aborts it.</summary>
public sealed record AbortArrived(string From, string TaskId, byte[] Digest, string Reason) : ConsentInput;

/// <summary>No start or abort came for a consented task within the start timeout.</summary>
public sealed record StartTimeoutPassed(string TaskId, byte[] Digest) : ConsentInput;

/// <summary>The operator cancelled a consented task before its submitter started it.</summary>
public sealed record CancelledBeforeStart(string TaskId) : ConsentInput;

/// <summary>A participant acknowledges this node's start of <paramref name="TaskId"/>.</summary>
public sealed record StartAckArrived(string From, string TaskId, byte[] Digest) : ConsentInput;

/// <summary>The resend timer of this node's start decision for <paramref name="TaskId"/> fired.</summary>
public sealed record StartResendDue(string TaskId) : ConsentInput;

/// <summary>After a restart: this node had decided to start <paramref name="TaskId"/> and these participants had
/// not acknowledged it yet (read from the node's journal).</summary>
public sealed record StartDecisionRestored(string TaskId, byte[] Digest, IReadOnlyList<string> Unacknowledged) : ConsentInput
{
    /// <summary>The declarations the start carries (journaled with the decision).</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];
}

/// <summary>After a restart: this node had consented to a task of <paramref name="Submitter"/> and waits for its start.</summary>
public sealed record ConsentRestored(string TaskId, string Submitter, byte[] Digest) : ConsentInput
{
    /// <summary>The sample declaration this node sent with its consent (journaled with it); null for a consent
    /// journaled before declarations existed.</summary>
    public SampleDeclaration? Declaration { get; init; }
}

/// <summary>After a restart: this node had started a task of <paramref name="Submitter"/> (a repeated start is
/// acknowledged again).</summary>
public sealed record StartedRestored(string TaskId, string Submitter, byte[] Digest) : ConsentInput;

/// <summary>This node's operator approves a task that waits for approval (<see cref="ApprovalMode.Manual"/>).</summary>
public sealed record OperatorApproved(string TaskId) : ConsentInput;

/// <summary>This node's operator rejects a task that waits for approval.</summary>
public sealed record OperatorRejected(string TaskId, string Reason) : ConsentInput;

/// <summary>What the node's task manager carries out, in order.</summary>
public abstract record ConsentOutput;

/// <summary>Ask participant <paramref name="To"/> whether it takes part (the manager's <c>CreateTask</c>).</summary>
public sealed record AskConsent(string To, byte[] SpecBytes) : ConsentOutput;

/// <summary>Answer the submitter <paramref name="To"/>.</summary>
public sealed record SendAnswer(string To, string TaskId, byte[] Digest, bool Consents, string? Reason) : ConsentOutput
{
    /// <summary>With a consent: this node's signed sample count for the task.</summary>
    public SampleDeclaration? Declaration { get; init; }
}

/// <summary>Tell participant <paramref name="To"/> to start the task.</summary>
public sealed record SendStart(string To, string TaskId, byte[] Digest) : ConsentOutput
{
    /// <summary>Every participant's checked sample declaration, in participant order.</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];
}

/// <summary>Record durably, before any start leaves, that this node started <paramref name="TaskId"/> and which
/// participants still have to acknowledge it (all of them at first; fewer as acknowledgements come).</summary>
public sealed record RecordStartDecision(string TaskId, byte[] Digest, IReadOnlyList<string> Unacknowledged) : ConsentOutput
{
    /// <summary>The declarations every start of the task carries.</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];
}

/// <summary>Every participant acknowledged the start of <paramref name="TaskId"/>: the record can go.</summary>
public sealed record StartDecisionAcknowledged(string TaskId) : ConsentOutput;

/// <summary>Acknowledge the submitter's start of a task (sent for every start that arrives, repeats included).</summary>
public sealed record SendStartAck(string To, string TaskId, byte[] Digest) : ConsentOutput;

/// <summary>Start (or cancel) the timer that resends a start decision to the participants yet to acknowledge it.</summary>
public sealed record StartResendTimer(string TaskId, bool Start) : ConsentOutput;

/// <summary>Tell participant <paramref name="To"/> to forget the task.</summary>
public sealed record SendAbort(string To, string TaskId, byte[] Digest, string Reason) : ConsentOutput;

/// <summary>This node's submission is decided: <paramref name="Started"/> when every participant consented.</summary>
public sealed record SubmissionDecided(TaskSpec Spec, byte[] Digest, bool Started, IReadOnlyList<ParticipantAnswer> Answers) : ConsentOutput;

/// <summary>This node consented to the task; it waits for the submitter's start or abort.</summary>
public sealed record ConsentGiven(TaskSpec Spec, byte[] SpecBytes, string Submitter, byte[] Digest) : ConsentOutput
{
    /// <summary>The sample declaration that leaves with the consent (journaled with it); null when this node
    /// declares none.</summary>
    public SampleDeclaration? Declaration { get; init; }
}

/// <summary>The task passed this node's policy and waits for its operator's approval (no answer has left yet).</summary>
public sealed record ApprovalAwaited(TaskSpec Spec, byte[] SpecBytes, string Submitter, byte[] Digest) : ConsentOutput;

/// <summary>A task that waited for approval will not run here: the operator rejected it (<paramref name="Rejected"/>),
/// or its submitter aborted it or never decided.</summary>
public sealed record ApprovalClosed(string TaskId, bool Rejected, string Reason) : ConsentOutput;

/// <summary>The submitter started a task this node consented to: load the data and start its peer.</summary>
public sealed record BeginTask(string TaskId) : ConsentOutput
{
    /// <summary>Every participant's sample declaration as the start carried them (the task's peer puts them on the
    /// task's chain, which fixes the FedAvg weights from them).</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];
}

/// <summary>A consented task ends before it started (aborted, or its start timed out): forget it.</summary>
public sealed record ForgetTask(string TaskId) : ConsentOutput;

/// <summary>Start (or, when <paramref name="Start"/> is false, cancel) the consent timer of a submission.</summary>
public sealed record ConsentTimer(string TaskId, bool Start) : ConsentOutput;

/// <summary>Start (or cancel) the start timer of a consented task.</summary>
public sealed record StartTimer(string TaskId, byte[] Digest, bool Start) : ConsentOutput;

/// <summary>A line for the node's log.</summary>
public sealed record ConsentNote(NoteLevel Level, string Text) : ConsentOutput;
