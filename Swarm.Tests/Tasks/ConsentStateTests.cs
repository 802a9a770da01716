using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>The consent decisions on their own, without actors: the submitter's tally and the participant's checks.</summary>
public sealed class ConsentStateTests
{
    private static readonly byte[] Digest = [1, 2, 3];
    private static readonly string[] Nodes = ["a", "b", "c"];

    private static readonly TaskSpec Spec = new()
    {
        Id = "t1",
        Model = "smallcnn",
        Participants = Nodes,
        Datasets = Nodes.ToDictionary(n => n, _ => "pneumoniamnist"),
        Rounds = 2,
    };

    private static ConsentState State(string self = "a", LocalPolicy? policy = null) =>
        new(self, policy ?? new LocalPolicy(["pneumoniamnist"]), node => Nodes.Contains(node), TimeSpan.FromSeconds(30));

    private static readonly LocalPolicy Manual = new(["pneumoniamnist"]) { Approval = ApprovalMode.Manual };

    private static CreateArrived Create(string from = "a") => new(from, Spec, [], Digest, IdInUse: false, CapacityProblem: null, DataProblem: null);

    [Fact]
    public void A_submission_starts_only_when_every_participant_consents()
    {
        var state = State();
        Assert.Equal(Nodes, state.Step(new SubmissionOpened(Spec, [], Digest)).OfType<AskConsent>().Select(a => a.To));
        Assert.Empty(state.Step(new AnswerArrived("a", "t1", Digest, true, null)).OfType<SubmissionDecided>());
        Assert.Empty(state.Step(new AnswerArrived("b", "t1", Digest, true, null)).OfType<SubmissionDecided>());
        var outputs = state.Step(new AnswerArrived("c", "t1", Digest, true, null));
        Assert.True(Assert.Single(outputs.OfType<SubmissionDecided>()).Started);
        Assert.Equal(Nodes, outputs.OfType<SendStart>().Select(s => s.To));
        Assert.Contains(new ConsentTimer("t1", Start: false), outputs);
        Assert.False(state.IsSubmitting("t1"));
    }

    [Fact]
    public void One_refusal_aborts_the_task_at_every_participant_with_its_reason()
    {
        var state = State();
        state.Step(new SubmissionOpened(Spec, [], Digest));
        state.Step(new AnswerArrived("a", "t1", Digest, true, null));
        state.Step(new AnswerArrived("b", "t1", Digest, false, "no data"));
        var outputs = state.Step(new AnswerArrived("c", "t1", Digest, true, null));
        Assert.False(Assert.Single(outputs.OfType<SubmissionDecided>()).Started);
        Assert.All(outputs.OfType<SendAbort>(), a => Assert.Equal("b: no data", a.Reason));
        Assert.Equal(3, outputs.OfType<SendAbort>().Count());
    }

    [Fact]
    public void A_missing_answer_at_the_consent_timeout_refuses_in_that_participants_name()
    {
        var state = State();
        state.Step(new SubmissionOpened(Spec, [], Digest));
        state.Step(new AnswerArrived("a", "t1", Digest, true, null));
        var decided = Assert.Single(state.Step(new ConsentTimeoutPassed("t1")).OfType<SubmissionDecided>());
        Assert.Equal(new ParticipantAnswer("b", false, "no answer within 30s"), decided.Answers[1]);
    }

    [Fact]
    public void An_answer_for_another_spec_digest_is_ignored()
    {
        var state = State();
        state.Step(new SubmissionOpened(Spec, [], Digest));
        var outputs = state.Step(new AnswerArrived("b", "t1", [9], false, "forged"));
        Assert.Equal(NoteLevel.Warning, Assert.Single(outputs.OfType<ConsentNote>()).Level);
        Assert.True(state.IsSubmitting("t1"));
    }

    [Fact]
    public void A_participant_consents_by_its_policy_and_then_only_its_submitter_can_start_that_spec()
    {
        var state = State("b");
        var outputs = state.Step(new CreateArrived("a", Spec, [], Digest, IdInUse: false, CapacityProblem: null, DataProblem: null));
        Assert.True(Assert.Single(outputs.OfType<SendAnswer>()).Consents);
        Assert.Single(outputs.OfType<ConsentGiven>());
        Assert.Empty(state.Step(new StartArrived("c", "t1", Digest)).OfType<BeginTask>());
        Assert.Empty(state.Step(new StartArrived("a", "t1", [9])).OfType<BeginTask>());
        Assert.Single(state.Step(new StartArrived("a", "t1", Digest)).OfType<BeginTask>());
        Assert.False(state.IsAwaitingStart("t1"));
    }

    [Fact]
    public void A_participant_refuses_a_task_id_in_use_and_a_data_set_it_lacks()
    {
        var inUse = State("b").Step(new CreateArrived("a", Spec, [], Digest, IdInUse: true, CapacityProblem: null, DataProblem: null));
        Assert.Equal("task id 't1' is already in use on node 'b'", Assert.Single(inUse.OfType<SendAnswer>()).Reason);
        var noData = State("b").Step(new CreateArrived("a", Spec, [], Digest, IdInUse: false, CapacityProblem: null, DataProblem: "not here"));
        Assert.Equal("not here", Assert.Single(noData.OfType<SendAnswer>()).Reason);
        Assert.Empty(noData.OfType<ConsentGiven>());
    }

    [Fact]
    public void A_start_timeout_forgets_the_consented_task()
    {
        var state = State("b");
        state.Step(new CreateArrived("a", Spec, [], Digest, IdInUse: false, CapacityProblem: null, DataProblem: null));
        Assert.Single(state.Step(new StartTimeoutPassed("t1", Digest)).OfType<ForgetTask>());
        Assert.Empty(state.Step(new StartArrived("a", "t1", Digest)).OfType<BeginTask>());
    }

    /// <summary>Issue 12, finding 5: a start decision is recorded before the first start leaves and resent to the
    /// participants that have not acknowledged it, until all have.</summary>
    [Fact]
    public void A_start_decision_is_recorded_before_it_is_sent_and_resent_until_every_participant_acknowledges()
    {
        var state = State();
        state.Step(new SubmissionOpened(Spec, [], Digest));
        state.Step(new AnswerArrived("a", "t1", Digest, true, null));
        state.Step(new AnswerArrived("b", "t1", Digest, true, null));
        var decided = state.Step(new AnswerArrived("c", "t1", Digest, true, null)).ToList();

        var record = decided.FindIndex(o => o is RecordStartDecision);
        Assert.True(record >= 0 && record < decided.FindIndex(o => o is SendStart), "recorded before the first start leaves");
        Assert.Equal(Nodes, Assert.IsType<RecordStartDecision>(decided[record]).Unacknowledged);
        Assert.Contains(new StartResendTimer("t1", Start: true), decided);

        var afterA = state.Step(new StartAckArrived("a", "t1", Digest));
        Assert.Equal(["b", "c"], Assert.Single(afterA.OfType<RecordStartDecision>()).Unacknowledged);
        Assert.Empty(state.Step(new StartAckArrived("a", "t1", [9, 9])));
        Assert.Equal(["b", "c"], state.Step(new StartResendDue("t1")).OfType<SendStart>().Select(s => s.To));
        state.Step(new StartAckArrived("b", "t1", Digest));
        var last = state.Step(new StartAckArrived("c", "t1", Digest));

        Assert.Contains(new StartDecisionAcknowledged("t1"), last);
        Assert.Contains(new StartResendTimer("t1", Start: false), last);
        Assert.Empty(state.UnacknowledgedStarts("t1"));
        Assert.Empty(state.Step(new StartResendDue("t1")).OfType<SendStart>());
    }

    [Fact]
    public void A_participant_starts_once_and_acknowledges_every_copy_of_the_start()
    {
        var state = State("b");
        state.Step(new CreateArrived("a", Spec, [], Digest, false, null, null));

        var first = state.Step(new StartArrived("a", "t1", Digest));
        var repeat = state.Step(new StartArrived("a", "t1", Digest));

        Assert.Single(first.OfType<BeginTask>());
        Assert.Contains(new SendStartAck("a", "t1", Digest), first);
        Assert.Empty(repeat.OfType<BeginTask>());
        Assert.Equal([new SendStartAck("a", "t1", Digest)], repeat.OfType<SendStartAck>());
        // From another node, or for another spec: neither started nor acknowledged.
        Assert.Empty(state.Step(new StartArrived("c", "t1", Digest)).OfType<SendStartAck>());
    }

    [Fact]
    public void After_a_restart_a_submitter_resends_its_start_and_a_participant_takes_or_acknowledges_it()
    {
        var submitter = State();
        var resent = submitter.Step(new StartDecisionRestored("t1", Digest, ["b"]));
        Assert.Equal(["b"], resent.OfType<SendStart>().Select(s => s.To));
        Assert.Contains(new StartResendTimer("t1", Start: true), resent);

        var consented = State("b");
        Assert.Contains(new StartTimer("t1", Digest, Start: true), consented.Step(new ConsentRestored("t1", "a", Digest)));
        Assert.Single(consented.Step(new StartArrived("a", "t1", Digest)).OfType<BeginTask>());

        var started = State("c");
        started.Step(new StartedRestored("t1", "a", Digest));
        var again = started.Step(new StartArrived("a", "t1", Digest));
        Assert.Empty(again.OfType<BeginTask>());
        Assert.Single(again.OfType<SendStartAck>());
    }
    [Fact]
    public void With_manual_approval_a_task_that_passes_the_policy_is_held_without_an_answer_until_the_operator_approves()
    {
        var state = State("b", Manual);

        var held = state.Step(Create());

        Assert.Empty(held.OfType<SendAnswer>());
        Assert.Empty(held.OfType<ConsentGiven>());
        Assert.Equal("t1", Assert.Single(held.OfType<ApprovalAwaited>()).Spec.Id);
        Assert.True(state.IsAwaitingApproval("t1"));
        Assert.Empty(state.Step(new StartArrived("a", "t1", Digest)).OfType<BeginTask>());

        var approved = state.Step(new OperatorApproved("t1"));

        Assert.True(Assert.Single(approved.OfType<SendAnswer>()).Consents);
        Assert.Single(approved.OfType<ConsentGiven>());
        Assert.False(state.IsAwaitingApproval("t1"));
        Assert.Single(state.Step(new StartArrived("a", "t1", Digest)).OfType<BeginTask>());
    }

    [Fact]
    public void An_operators_rejection_answers_the_submitter_with_the_reason_and_ends_the_hold()
    {
        var state = State("b", Manual);
        state.Step(Create());

        var rejected = state.Step(new OperatorRejected("t1", "wrong quarter"));

        var answer = Assert.Single(rejected.OfType<SendAnswer>());
        Assert.Equal(("a", false, "rejected by the operator of node 'b': wrong quarter"), (answer.To, answer.Consents, answer.Reason));
        Assert.Equal(new ApprovalClosed("t1", Rejected: true, "wrong quarter"), Assert.Single(rejected.OfType<ApprovalClosed>()));
        Assert.Empty(rejected.OfType<ConsentGiven>());
        Assert.Empty(state.Step(new OperatorApproved("t1")));
    }

    [Fact]
    public void A_held_task_ends_when_its_submitter_aborts_or_nobody_decides_by_the_start_timeout()
    {
        var aborted = State("b", Manual);
        aborted.Step(Create());
        Assert.Empty(aborted.Step(new AbortArrived("c", "t1", Digest, "not the submitter")).OfType<ApprovalClosed>());

        var closed = Assert.Single(aborted.Step(new AbortArrived("a", "t1", Digest, "c: no answer within 30s")).OfType<ApprovalClosed>());

        Assert.False(closed.Rejected);
        Assert.Contains("aborted by a before the operator decided", closed.Reason, StringComparison.Ordinal);
        Assert.False(aborted.IsAwaitingApproval("t1"));

        var forgotten = State("b", Manual);
        forgotten.Step(Create());
        Assert.Single(forgotten.Step(new StartTimeoutPassed("t1", Digest)).OfType<ApprovalClosed>());
        Assert.False(forgotten.IsAwaitingApproval("t1"));
    }

    [Fact]
    public void A_task_that_breaks_the_policy_is_refused_at_once_even_with_manual_approval()
    {
        var state = State("b", Manual with { AllowedSubmitters = ["c"] });

        var outputs = state.Step(Create());

        Assert.Empty(outputs.OfType<ApprovalAwaited>());
        Assert.Equal("node 'b' does not take tasks submitted by 'a' (policy.allowed-submitters = [c])", Assert.Single(outputs.OfType<SendAnswer>()).Reason);
    }

    [Fact]
    public void The_resume_check_reads_the_current_policy()
    {
        Assert.Null(State("b").ResumeProblem(Spec, "a"));
        Assert.Equal("task has 3 participants; node 'b' requires at least 4 (policy.min-participants)",
            State("b", new LocalPolicy(["pneumoniamnist"]) { MinParticipants = 4 }).ResumeProblem(Spec, "a"));
    }
}
