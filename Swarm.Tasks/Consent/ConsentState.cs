namespace Swarm.Tasks;

/// <summary>
/// A node's consent decisions, pure: as submitter it asks every participant, collects the answers and decides alone
/// (start when all consent; one refusal, or a missing answer at the consent timeout, aborts), so every participant
/// gets the same decision; as participant it consents by its <see cref="LocalPolicy"/>, the consortium and its data,
/// then waits for the submitter's start or abort of exactly that spec. The task manager actor adapts it: it
/// supplies the facts only the node knows, sends the messages and runs the timers it names.
/// </summary>
/// <param name="nodeId">This node's id.</param>
/// <param name="policy">The operator's rules for consenting.</param>
/// <param name="isMember">Whether a node id is a member of the consortium.</param>
/// <param name="consentTimeout">How long the adapter waits for answers (named in the answers it fills in).</param>
/// <param name="samples">This node's signing key and the members' keys: with them a consent carries the node's
/// signed sample count (<see cref="SampleDeclaration"/>), a submitter counts a consent only with a valid one and
/// starts the task with all of them. Null: no declarations (a node without a signing identity; the task's chain
/// then fixes each site's count by its first update).</param>
public sealed class ConsentState(string nodeId, LocalPolicy policy, Func<string, bool> isMember, TimeSpan consentTimeout,
    SampleSigning? samples = null)
{
    private readonly Dictionary<string, SampleDeclaration> _declared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<SampleDeclaration>> _startDeclarations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Submission> _submissions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Submitter, byte[] Digest)> _awaiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CreateArrived> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Submitter, byte[] Digest)> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (byte[] Digest, SortedSet<string> Unacknowledged)> _starting = new(StringComparer.Ordinal);
    private List<ConsentOutput> _outputs = [];

    /// <summary>Submissions of this node still waiting for answers.</summary>
    public int PendingSubmissions => _submissions.Count;

    public bool IsSubmitting(string taskId) => _submissions.ContainsKey(taskId);

    /// <summary>Participants that have not acknowledged this node's start of <paramref name="taskId"/> (empty when
    /// all have, or when this node did not start it).</summary>
    public IReadOnlyCollection<string> UnacknowledgedStarts(string taskId) =>
        _starting.TryGetValue(taskId, out var starting) ? starting.Unacknowledged : [];

    /// <summary>Whether this node consented to <paramref name="taskId"/> and waits for its start or abort.</summary>
    public bool IsAwaitingStart(string taskId) => _awaiting.ContainsKey(taskId);

    /// <summary>Whether <paramref name="taskId"/> passed the policy and waits for the operator's approval.</summary>
    public bool IsAwaitingApproval(string taskId) => _held.ContainsKey(taskId);

    /// <summary>Why a task this node had consented to or started (submitted by <paramref name="submitter"/>) must not
    /// resume after a restart: the policy, read again at the start, may have been tightened meanwhile. Null: resume.</summary>
    public string? ResumeProblem(TaskSpec spec, string submitter)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var decision = policy.Evaluate(spec, nodeId, submitter);
        return decision.Consents ? StrangersProblem(spec) : decision.Reason;
    }

    /// <summary>The participants of <paramref name="spec"/> that are not members of the consortium, as a problem.</summary>
    public string? StrangersProblem(TaskSpec spec)
    {
        var strangers = spec.Participants.Where(p => !isMember(p)).ToList();
        return strangers.Count > 0
            ? $"participants {string.Join(", ", strangers.Select(s => $"'{s}'"))} are not members of the consortium"
            : null;
    }

    public IReadOnlyList<ConsentOutput> Step(ConsentInput input)
    {
        _outputs = [];
        switch (input)
        {
            case SubmissionOpened opened:
                OnOpened(opened);
                break;
            case AnswerArrived answer:
                OnAnswer(answer);
                break;
            case ConsentTimeoutPassed timedOut when _submissions.TryGetValue(timedOut.TaskId, out var submission):
                Decide(submission, $"no answer within {consentTimeout.TotalSeconds:0.#}s");
                break;
            case ConsentTimeoutPassed:
                break;
            case CreateArrived create:
                OnCreate(create);
                break;
            case StartArrived start when _started.TryGetValue(start.TaskId, out var begun)
                                         && begun.Submitter == start.From && begun.Digest.AsSpan().SequenceEqual(start.Digest):
                // A repeat (the acknowledgement was lost, or the submitter restarted): acknowledged again, started once.
                Emit(new SendStartAck(start.From, start.TaskId, start.Digest));
                break;
            case StartArrived start when StartDeclarationsProblem(start) is { } problem:
                // Not this node's declaration: the chain would fix counts this node never declared.
                Note(NoteLevel.Warning, $"StartTask from {start.From} for task {start.TaskId} ignored: {problem}");
                break;
            case StartArrived start when Awaited(start.TaskId, start.From, start.Digest, "StartTask"):
                _started[start.TaskId] = (start.From, start.Digest);
                _declared.Remove(start.TaskId);
                Emit(new StartTimer(start.TaskId, start.Digest, Start: false));
                Emit(new BeginTask(start.TaskId) { Declarations = start.Declarations });
                Emit(new SendStartAck(start.From, start.TaskId, start.Digest));
                break;
            case StartAckArrived ack:
                OnStartAck(ack);
                break;
            case StartResendDue due when _starting.TryGetValue(due.TaskId, out var starting):
                Note(NoteLevel.Information, $"task {due.TaskId}: no acknowledgement of the start yet from {string.Join(", ", starting.Unacknowledged)}; sending it again");
                SendStarts(due.TaskId, starting.Digest, starting.Unacknowledged, _startDeclarations.GetValueOrDefault(due.TaskId, []));
                break;
            case StartResendDue:
                break;
            case StartDecisionRestored restored when restored.Unacknowledged.Count > 0:
                _starting[restored.TaskId] = (restored.Digest, new SortedSet<string>(restored.Unacknowledged, StringComparer.Ordinal));
                _startDeclarations[restored.TaskId] = restored.Declarations;
                SendStarts(restored.TaskId, restored.Digest, restored.Unacknowledged, restored.Declarations);
                break;
            case StartDecisionRestored:
                break;
            case ConsentRestored restored:
                _awaiting[restored.TaskId] = (restored.Submitter, restored.Digest);
                if (restored.Declaration is { } declaration)
                {
                    _declared[restored.TaskId] = declaration;
                }
                Emit(new StartTimer(restored.TaskId, restored.Digest, Start: true));
                break;
            case StartedRestored restored:
                _started[restored.TaskId] = (restored.Submitter, restored.Digest);
                break;
            case OperatorApproved approved when _held.Remove(approved.TaskId, out var create):
                Note(NoteLevel.Information, $"task {approved.TaskId} from {create.From}: approved by the operator");
                Consent(create);
                break;
            case OperatorRejected rejected when _held.Remove(rejected.TaskId, out var create):
                Note(NoteLevel.Information, $"task {rejected.TaskId} from {create.From}: rejected by the operator: {rejected.Reason}");
                Emit(new StartTimer(rejected.TaskId, create.Digest, Start: false));
                Emit(new ApprovalClosed(rejected.TaskId, Rejected: true, rejected.Reason));
                Emit(new SendAnswer(create.From, rejected.TaskId, create.Digest, false, $"rejected by the operator of node '{nodeId}': {rejected.Reason}"));
                break;
            case OperatorApproved or OperatorRejected:
                break;
            case AbortArrived abort when _held.TryGetValue(abort.TaskId, out var held) && held.From == abort.From && held.Digest.AsSpan().SequenceEqual(abort.Digest):
                _held.Remove(abort.TaskId);
                Emit(new StartTimer(abort.TaskId, abort.Digest, Start: false));
                Emit(new ApprovalClosed(abort.TaskId, Rejected: false, $"aborted by {abort.From} before the operator decided: {abort.Reason}"));
                break;
            case StartTimeoutPassed timedOut when _held.TryGetValue(timedOut.TaskId, out var held) && held.Digest.AsSpan().SequenceEqual(timedOut.Digest):
                _held.Remove(timedOut.TaskId);
                Emit(new ApprovalClosed(timedOut.TaskId, Rejected: false, $"no decision by the operator, and none from {held.From}, in time"));
                break;
            case AbortArrived abort when Awaited(abort.TaskId, abort.From, abort.Digest, "AbortTask"):
                Note(NoteLevel.Information, $"task {abort.TaskId} aborted by {abort.From}: {abort.Reason}");
                Forget(abort.TaskId, abort.Digest);
                break;
            case StartTimeoutPassed timedOut when _awaiting.TryGetValue(timedOut.TaskId, out var awaited) && awaited.Digest.AsSpan().SequenceEqual(timedOut.Digest):
                _awaiting.Remove(timedOut.TaskId);
                Note(NoteLevel.Warning, $"task {timedOut.TaskId}: no StartTask from {awaited.Submitter} in time; forgotten");
                Forget(timedOut.TaskId, timedOut.Digest);
                break;
            case CancelledBeforeStart cancelled when _awaiting.Remove(cancelled.TaskId, out var awaited):
                _declared.Remove(cancelled.TaskId);
                Emit(new StartTimer(cancelled.TaskId, awaited.Digest, Start: false));
                break;
            case StartArrived or AbortArrived or StartTimeoutPassed or CancelledBeforeStart:
                break;
            default:
                throw new InvalidOperationException($"no step for {input.GetType().Name}");
        }
        return _outputs;
    }

    private void OnOpened(SubmissionOpened opened)
    {
        var spec = opened.Spec;
        _submissions[spec.Id] = new Submission(spec, opened.Digest, TaskGenesis.ChainId(spec, opened.SpecBytes));
        Emit(new ConsentTimer(spec.Id, Start: true));
        Note(NoteLevel.Information, $"task {spec.Id} submitted (spec {Convert.ToHexStringLower(opened.Digest)}); asking {string.Join(", ", spec.Participants)}");
        foreach (var participant in spec.Participants)
        {
            Emit(new AskConsent(participant, opened.SpecBytes));
        }
    }

    private void OnAnswer(AnswerArrived answer)
    {
        if (!_submissions.TryGetValue(answer.TaskId, out var submission) || !answer.Digest.AsSpan().SequenceEqual(submission.Digest))
        {
            Note(NoteLevel.Warning, $"answer from {answer.From} for task {answer.TaskId} matches no submission of this node; ignored");
            return;
        }
        if (!submission.Spec.Participants.Contains(answer.From))
        {
            Note(NoteLevel.Warning, $"answer for task {answer.TaskId} from {answer.From}, which is not a participant; ignored");
            return;
        }
        submission.Answers[answer.From] = Counted(submission, answer);
        if (submission.Answers.Count == submission.Spec.Participants.Count)
        {
            Decide(submission, timeoutReason: null);
        }
    }

    /// <summary>Start when all consented, abort otherwise; the submission ends either way.</summary>
    private void Decide(Submission submission, string? timeoutReason)
    {
        var spec = submission.Spec;
        _submissions.Remove(spec.Id);
        Emit(new ConsentTimer(spec.Id, Start: false));
        var answers = spec.Participants
            .Select(p => submission.Answers.TryGetValue(p, out var a) ? a : new ParticipantAnswer(p, false, timeoutReason)).ToList();
        var started = answers.All(a => a.Consents);
        if (started)
        {
            // Persisted before the first start leaves, and resent until each participant acknowledges it: a
            // participant that missed it would otherwise forget the task while this node reports it started.
            var everyone = new SortedSet<string>(spec.Participants, StringComparer.Ordinal);
            _starting[spec.Id] = (submission.Digest, everyone);
            IReadOnlyList<SampleDeclaration> declarations = [.. spec.Participants.Select(p => submission.Declarations.GetValueOrDefault(p)).OfType<SampleDeclaration>()];
            _startDeclarations[spec.Id] = declarations;
            Emit(new RecordStartDecision(spec.Id, submission.Digest, [.. everyone]) { Declarations = declarations });
            SendStarts(spec.Id, submission.Digest, spec.Participants, declarations);
        }
        else
        {
            var reason = string.Join("; ", answers.Where(a => !a.Consents).Select(a => $"{a.Node}: {a.Reason}"));
            foreach (var participant in spec.Participants)
            {
                Emit(new SendAbort(participant, spec.Id, submission.Digest, reason));
            }
        }
        Note(NoteLevel.Information, $"task {spec.Id}: {(started ? "all participants consent; starting" : "not started")}");
        Emit(new SubmissionDecided(spec, submission.Digest, started, answers));
    }

    private void SendStarts(string taskId, byte[] digest, IEnumerable<string> participants, IReadOnlyList<SampleDeclaration> declarations)
    {
        foreach (var participant in participants)
        {
            Emit(new SendStart(participant, taskId, digest) { Declarations = declarations });
        }
        Emit(new StartResendTimer(taskId, Start: true));
    }

    private void OnStartAck(StartAckArrived ack)
    {
        if (!_starting.TryGetValue(ack.TaskId, out var starting) || !starting.Digest.AsSpan().SequenceEqual(ack.Digest))
        {
            return; // a late repeat after every participant acknowledged, or for a start this node never sent
        }
        if (!starting.Unacknowledged.Remove(ack.From))
        {
            return;
        }
        if (starting.Unacknowledged.Count > 0)
        {
            Emit(new RecordStartDecision(ack.TaskId, starting.Digest, [.. starting.Unacknowledged]));
            return;
        }
        _starting.Remove(ack.TaskId);
        _startDeclarations.Remove(ack.TaskId);
        Emit(new StartResendTimer(ack.TaskId, Start: false));
        Emit(new StartDecisionAcknowledged(ack.TaskId));
        Note(NoteLevel.Information, $"task {ack.TaskId}: every participant acknowledged the start");
    }

    private void OnCreate(CreateArrived create)
    {
        var spec = create.Spec;
        var refusal = Refusal(create);
        if (refusal is null && policy.Approval == ApprovalMode.Manual)
        {
            // No answer leaves until the operator decides; the submitter's consent timeout bounds the wait, and the
            // start timer forgets the task if neither the operator nor the submitter ever decides.
            _held[spec.Id] = create;
            Note(NoteLevel.Information, $"task {spec.Id} from {create.From}: passes the policy; waiting for the operator's approval");
            Emit(new ApprovalAwaited(spec, create.SpecBytes, create.From, create.Digest));
            Emit(new StartTimer(spec.Id, create.Digest, Start: true));
            return;
        }
        if (refusal is null)
        {
            Consent(create);
            return;
        }
        Note(NoteLevel.Information, $"task {spec.Id} from {create.From}: refused: {refusal}");
        Emit(new SendAnswer(create.From, spec.Id, create.Digest, false, refusal));
    }

    /// <summary>Consents to a task that passed every check (and, with manual approval, the operator's).</summary>
    private void Consent(CreateArrived create)
    {
        var spec = create.Spec;
        _awaiting[spec.Id] = (create.From, create.Digest);
        SampleDeclaration? declaration = null;
        if (samples is not null && Declares(spec))
        {
            // Refusal() let the consent through only with a count within the bounds.
            declaration = SampleDeclaration.Sign(TaskGenesis.ChainId(spec, create.SpecBytes), spec.Id, nodeId, create.SampleCount!.Value, samples.Sign);
            _declared[spec.Id] = declaration;
        }
        Emit(new ConsentGiven(spec, create.SpecBytes, create.From, create.Digest) { Declaration = declaration });
        Emit(new StartTimer(spec.Id, create.Digest, Start: true));
        Note(NoteLevel.Information, $"task {spec.Id} from {create.From}: consent" + (declaration is null ? "" : $" with {declaration.SampleCount} training samples"));
        Emit(new SendAnswer(create.From, spec.Id, create.Digest, true, null) { Declaration = declaration });
    }

    /// <summary>Why this node refuses, in the order an operator would fix it; null to consent.</summary>
    private string? Refusal(CreateArrived create)
    {
        if (create.IdInUse || _awaiting.ContainsKey(create.Spec.Id) || _held.ContainsKey(create.Spec.Id))
        {
            return $"task id '{create.Spec.Id}' is already in use on node '{nodeId}'";
        }
        if (create.CapacityProblem is { } full)
        {
            return full;
        }
        var decision = policy.Evaluate(create.Spec, nodeId, create.From);
        if (!decision.Consents)
        {
            return decision.Reason;
        }
        return StrangersProblem(create.Spec) ?? create.DataProblem ?? SamplesProblem(create);
    }

    /// <summary>Why this node cannot declare its sample count for the task: none counted, fewer than one, more than
    /// its policy's <c>sample-count-max</c> or the spec's <c>aggregation.sample-count-max</c>. Null when it can (or
    /// declares nothing).</summary>
    private string? SamplesProblem(CreateArrived create)
    {
        if (samples is null || !Declares(create.Spec))
        {
            return null;
        }
        var dataset = create.Spec.Datasets.GetValueOrDefault(nodeId, "?");
        if (create.SampleCount is not { } count)
        {
            return $"node '{nodeId}' could not count its training samples of data set '{dataset}'";
        }
        if (count < 1)
        {
            return $"node '{nodeId}' has {count} training samples of data set '{dataset}'; at least 1 is needed to take part";
        }
        if (policy.SampleCountMax > 0 && count > policy.SampleCountMax)
        {
            return $"node '{nodeId}' has {count} training samples of data set '{dataset}', more than its policy allows to declare: " +
                $"at most {policy.SampleCountMax} (policy.sample-count-max)";
        }
        var taskMax = create.Spec.Aggregation.SampleCountMax;
        return taskMax > 0 && count > taskMax
            ? $"node '{nodeId}' has {count} training samples of data set '{dataset}'; the task allows at most {taskMax} per site (task.aggregation.sample-count-max)"
            : null;
    }

    /// <summary>Whether a task's participants declare their sample counts at consent: round tasks do; a data-vector
    /// task weighs each vector by the count it carries (its own chain's rule).</summary>
    private static bool Declares(TaskSpec spec) => spec.DataVectors is null;

    /// <summary>A participant's answer as it counts: a consent without a valid sample declaration (when this node
    /// checks them) counts as a refusal with the reason.</summary>
    private ParticipantAnswer Counted(Submission submission, AnswerArrived answer)
    {
        if (!answer.Consents)
        {
            return new ParticipantAnswer(answer.From, false, answer.Reason ?? "refused");
        }
        var spec = submission.Spec;
        if (samples is null || !Declares(spec))
        {
            return new ParticipantAnswer(answer.From, true, null);
        }
        var problem = answer.Declaration is not { } declaration
            ? "its consent carries no sample declaration"
            : declaration.Problem(submission.ChainId, spec.Id, answer.From, spec.Aggregation.SampleCountMax, samples.KeyOf(answer.From), samples.Verifier);
        if (problem is not null)
        {
            Note(NoteLevel.Warning, $"task {spec.Id}: the consent of {answer.From} does not count: {problem}");
            return new ParticipantAnswer(answer.From, false, $"consent not counted by the submitter: {problem}");
        }
        submission.Declarations[answer.From] = answer.Declaration!;
        return new ParticipantAnswer(answer.From, true, null) { SampleCount = answer.Declaration!.SampleCount };
    }

    /// <summary>Why a start cannot be taken as it is: this node declared a sample count with its consent and the start
    /// does not carry exactly that declaration, once. Null when it can (or this node declared nothing).</summary>
    private string? StartDeclarationsProblem(StartArrived start)
    {
        if (!_declared.TryGetValue(start.TaskId, out var own) || !_awaiting.TryGetValue(start.TaskId, out var awaited)
            || awaited.Submitter != start.From || !awaited.Digest.AsSpan().SequenceEqual(start.Digest))
        {
            return null;
        }
        var mine = start.Declarations.Where(d => d.Site == nodeId).ToList();
        if (mine.Count != 1 || !mine[0].SameAs(own))
        {
            return $"it does not carry this node's sample declaration ({own.SampleCount} samples) exactly once";
        }
        return start.Declarations.Select(d => d.Site).Distinct(StringComparer.Ordinal).Count() == start.Declarations.Count
            ? null
            : "it carries two sample declarations of one site";
    }

    /// <summary>Whether a start or abort refers to a task consented here, from that submitter, for the same spec;
    /// it is then no longer awaited.</summary>
    private bool Awaited(string taskId, string from, byte[] digest, string what)
    {
        if (_awaiting.TryGetValue(taskId, out var awaited) && awaited.Submitter == from && awaited.Digest.AsSpan().SequenceEqual(digest))
        {
            _awaiting.Remove(taskId);
            return true;
        }
        Note(NoteLevel.Warning, $"{what} from {from} for task {taskId} matches no task waiting to start here; ignored");
        return false;
    }

    private void Forget(string taskId, byte[] digest)
    {
        _declared.Remove(taskId);
        Emit(new StartTimer(taskId, digest, Start: false));
        Emit(new ForgetTask(taskId));
    }

    private void Emit(ConsentOutput output) => _outputs.Add(output);

    private void Note(NoteLevel level, string text) => Emit(new ConsentNote(level, text));

    private sealed class Submission(TaskSpec spec, byte[] digest, string chainId)
    {
        public TaskSpec Spec { get; } = spec;

        public byte[] Digest { get; } = digest;

        /// <summary>The chain id the task will have: what the participants' declarations are signed for.</summary>
        public string ChainId { get; } = chainId;

        public Dictionary<string, SampleDeclaration> Declarations { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, ParticipantAnswer> Answers { get; } = new(StringComparer.Ordinal);
    }
}
