using Swarm.Actors.Consensus;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>Sample counts declared at consent, without actors: a participant refuses a count below 1 or over its
/// policy's <c>sample-count-max</c>, consents with a declaration signed by its key, and the submitter counts a consent
/// only with a declaration that is the participant's own, for this task, unaltered.</summary>
public sealed class ConsentStateSampleTests : IDisposable
{
    private static readonly string[] Nodes = ["a", "b", "c"];
    private static readonly TaskSpec Spec = new()
    {
        Id = "t1",
        Model = "smallcnn",
        Participants = Nodes,
        Datasets = Nodes.ToDictionary(n => n, _ => "pneumoniamnist"),
        Rounds = 2,
    };

    private static readonly byte[] SpecBytes = TaskSpecCodec.Encode(Spec);
    private static readonly byte[] Digest = TaskSpecCodec.Digest(SpecBytes);
    private static readonly string ChainId = TaskGenesis.ChainId(Spec, SpecBytes);
    private readonly Dictionary<string, Ed25519Signer> _signers = Nodes.ToDictionary(n => n, _ => Ed25519Signer.Generate());
    private readonly Ed25519SignatureScheme _verifier = new();

    private ConsentState State(string self, LocalPolicy? policy = null) =>
        new(self, policy ?? new LocalPolicy(["pneumoniamnist"]), Nodes.Contains, TimeSpan.FromSeconds(30),
            new SampleSigning(b => _signers[self].Sign(b), n => _signers.TryGetValue(n, out var s) ? s.PublicKey : null, _verifier));

    private static CreateArrived Create(long? samples) =>
        new("a", Spec, SpecBytes, Digest, IdInUse: false, CapacityProblem: null, DataProblem: null) { SampleCount = samples };

    /// <summary>What participant <paramref name="node"/> answers to a task when it has <paramref name="samples"/>.</summary>
    private SendAnswer Answer(string node, long samples, LocalPolicy? policy = null) =>
        Assert.Single(State(node, policy).Step(Create(samples)).OfType<SendAnswer>());

    private SampleDeclaration Declaration(string node, long samples) => SampleDeclaration.Sign(ChainId, Spec.Id, node, samples, b => _signers[node].Sign(b));

    [Fact]
    public void A_participant_refuses_when_its_count_is_over_its_policys_max_naming_both_numbers()
    {
        var answer = Answer("b", 600, new LocalPolicy(["pneumoniamnist"]) { SampleCountMax = 500 });
        Assert.False(answer.Consents);
        Assert.Null(answer.Declaration);
        Assert.Contains("600 training samples", answer.Reason, StringComparison.Ordinal);
        Assert.Contains("at most 500 (policy.sample-count-max)", answer.Reason, StringComparison.Ordinal);
        Assert.True(Answer("b", 500, new LocalPolicy(["pneumoniamnist"]) { SampleCountMax = 500 }).Consents);
    }

    [Fact]
    public void A_participant_refuses_with_fewer_than_one_sample_or_none_counted()
    {
        var empty = Answer("b", 0);
        Assert.False(empty.Consents);
        Assert.Contains("0 training samples", empty.Reason, StringComparison.Ordinal);
        Assert.Contains("at least 1", empty.Reason, StringComparison.Ordinal);
        var uncounted = Assert.Single(State("b").Step(Create(null)).OfType<SendAnswer>());
        Assert.False(uncounted.Consents);
        Assert.Contains("could not count", uncounted.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_participant_refuses_a_count_over_the_tasks_own_bound()
    {
        var bounded = Spec with { Aggregation = Spec.Aggregation with { SampleCountMax = 100 } };
        var bytes = TaskSpecCodec.Encode(bounded);
        var answer = Assert.Single(State("b").Step(new CreateArrived("a", bounded, bytes, TaskSpecCodec.Digest(bytes), false, null, null)
        {
            SampleCount = 101,
        }).OfType<SendAnswer>());
        Assert.False(answer.Consents);
        Assert.Contains("task.aggregation.sample-count-max", answer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_consent_carries_a_declaration_signed_by_the_participant_which_the_submitter_verifies_and_starts_with()
    {
        var answers = Nodes.Select((n, i) => (Node: n, Answer: Answer(n, 100 * (i + 1)))).ToList();
        foreach (var (node, answer) in answers)
        {
            Assert.True(answer.Consents);
            var declaration = Assert.IsType<SampleDeclaration>(answer.Declaration);
            Assert.Null(declaration.Problem(ChainId, Spec.Id, node, 0, _signers[node].PublicKey, _verifier));
            // Not valid as another member's, nor for another chain.
            Assert.NotNull(declaration.Problem(ChainId, Spec.Id, node, 0, _signers[node == "a" ? "b" : "a"].PublicKey, _verifier));
            Assert.NotNull(declaration.Problem("task/t1/0000000000000000", Spec.Id, node, 0, _signers[node].PublicKey, _verifier));
        }

        var submitter = State("a");
        submitter.Step(new SubmissionOpened(Spec, SpecBytes, Digest));
        var outputs = answers.SelectMany(a => submitter.Step(new AnswerArrived(a.Node, Spec.Id, Digest, true, null) { Declaration = a.Answer.Declaration }))
            .ToList();
        var decided = Assert.Single(outputs.OfType<SubmissionDecided>());
        Assert.True(decided.Started);
        Assert.Equal([100L, 200L, 300L], decided.Answers.Select(a => a.SampleCount!.Value));
        Assert.All(outputs.OfType<SendStart>(), s => Assert.Equal(Nodes, s.Declarations.Select(d => d.Site)));
        Assert.Equal(Nodes, Assert.Single(outputs.OfType<RecordStartDecision>()).Declarations.Select(d => d.Site));

        // The participant takes the start that carries its declaration and hands all of them to its peer.
        var participant = State("b");
        var consent = Assert.Single(participant.Step(Create(200)).OfType<SendAnswer>());
        var start = outputs.OfType<SendStart>().First(s => s.To == "b");
        var declarations = start.Declarations.Select(d => d.Site == "b" ? consent.Declaration! : d).ToList();
        var begun = Assert.Single(participant.Step(new StartArrived("a", Spec.Id, Digest) { Declarations = declarations }).OfType<BeginTask>());
        Assert.Equal(3, begun.Declarations.Count);
    }

    [Fact]
    public void The_submitter_refuses_a_consent_with_a_forged_altered_or_missing_declaration()
    {
        var submitter = State("a");
        submitter.Step(new SubmissionOpened(Spec, SpecBytes, Digest));
        submitter.Step(new AnswerArrived("a", Spec.Id, Digest, true, null) { Declaration = Declaration("a", 100) });
        // b's declaration with its count raised after signing.
        submitter.Step(new AnswerArrived("b", Spec.Id, Digest, true, null) { Declaration = Declaration("b", 200) with { SampleCount = 20_000 } });
        // c's answer carries a's declaration.
        var outputs = submitter.Step(new AnswerArrived("c", Spec.Id, Digest, true, null) { Declaration = Declaration("a", 100) });
        var decided = Assert.Single(outputs.OfType<SubmissionDecided>());
        Assert.False(decided.Started);
        Assert.Contains("is not signed by its key", decided.Answers[1].Reason, StringComparison.Ordinal);
        Assert.Contains("names site 'a'", decided.Answers[2].Reason, StringComparison.Ordinal);
        Assert.Empty(outputs.OfType<SendStart>());
        Assert.Equal(3, outputs.OfType<SendAbort>().Count());

        var again = State("a");
        again.Step(new SubmissionOpened(Spec, SpecBytes, Digest));
        again.Step(new AnswerArrived("a", Spec.Id, Digest, true, null) { Declaration = Declaration("a", 100) });
        again.Step(new AnswerArrived("b", Spec.Id, Digest, true, null));
        var forged = SampleDeclaration.Sign(ChainId, Spec.Id, "c", 300, b => _signers["b"].Sign(b));
        var last = Assert.Single(again.Step(new AnswerArrived("c", Spec.Id, Digest, true, null) { Declaration = forged }).OfType<SubmissionDecided>());
        Assert.Contains("carries no sample declaration", last.Answers[1].Reason, StringComparison.Ordinal);
        Assert.Contains("is not signed by its key", last.Answers[2].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_participant_ignores_a_start_that_does_not_carry_its_own_declaration()
    {
        var participant = State("b");
        var consent = Assert.Single(participant.Step(Create(200)).OfType<SendAnswer>());
        var outputs = participant.Step(new StartArrived("a", Spec.Id, Digest) { Declarations = [Declaration("a", 1), Declaration("b", 999), Declaration("c", 3)] });
        Assert.Empty(outputs.OfType<BeginTask>());
        Assert.True(participant.IsAwaitingStart(Spec.Id));
        var begun = participant.Step(new StartArrived("a", Spec.Id, Digest) { Declarations = [Declaration("a", 1), consent.Declaration!, Declaration("c", 3)] });
        Assert.Single(begun.OfType<BeginTask>());
    }

    [Fact]
    public void With_manual_approval_the_declaration_leaves_with_the_operators_approval()
    {
        var participant = State("b", new LocalPolicy(["pneumoniamnist"]) { Approval = ApprovalMode.Manual });
        var held = participant.Step(Create(200));
        Assert.Single(held.OfType<ApprovalAwaited>());
        Assert.Empty(held.OfType<SendAnswer>());
        var approved = participant.Step(new OperatorApproved(Spec.Id));
        var answer = Assert.Single(approved.OfType<SendAnswer>());
        Assert.True(answer.Consents);
        Assert.Null(answer.Declaration!.Problem(ChainId, Spec.Id, "b", 0, _signers["b"].PublicKey, _verifier));
        Assert.Equal(200, Assert.Single(approved.OfType<ConsentGiven>()).Declaration!.SampleCount);
    }

    [Fact]
    public void A_consent_restored_from_the_journal_still_takes_only_a_start_with_its_declaration()
    {
        var own = Declaration("b", 200);
        var participant = State("b");
        participant.Step(new ConsentRestored(Spec.Id, "a", Digest) { Declaration = own });
        Assert.Empty(participant.Step(new StartArrived("a", Spec.Id, Digest) { Declarations = [Declaration("a", 1), Declaration("b", 201)] }).OfType<BeginTask>());
        var begun = participant.Step(new StartArrived("a", Spec.Id, Digest) { Declarations = [Declaration("a", 1), own] });
        Assert.Equal(["a", "b"], Assert.Single(begun.OfType<BeginTask>()).Declarations.Select(d => d.Site));
    }

    public void Dispose()
    {
        foreach (var signer in _signers.Values)
        {
            signer.Dispose();
        }
    }
}
