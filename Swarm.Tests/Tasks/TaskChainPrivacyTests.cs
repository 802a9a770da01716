using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;
using Swarm.Learning.Privacy;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>Budgets on the chain under local DP: every replica recomputes a site's ε from the parameters its update
/// carries and refuses a claim the accountant does not give, so the ε the blocks record is the accountant's; a site
/// refusing a round past its budget ends the task with the reason.</summary>
public sealed class TaskChainPrivacyTests : IDisposable
{
    private const string ChainId = "task/dp/0";
    private const double Sigma = 1.1;
    private const double Delta = 1e-5;
    private const int Batch = 32;
    private const long Samples = 100;
    private static readonly string[] Sites = ["a", "b", "c", "d"];
    private static readonly double Q = SitePrivacyPlan.SamplingRateOf(Batch, Samples);
    /// <summary>round(1 / 0.32) = 3 steps per epoch, 2 local epochs.</summary>
    private static readonly int StepsPerRound = SitePrivacyPlan.StepsPerRoundOf(Q, 2);
    private readonly Ed25519Signer[] _signers = [.. Sites.Select(_ => Ed25519Signer.Generate())];
    private readonly Ed25519SignatureScheme _verifier = new();
    private readonly List<CertifiedBlockStub> _blocks = [];
    private long _requestId;
    private long _height;

    private sealed record CertifiedBlockStub(long Height, IReadOnlyList<ClientRequest> Requests);

    private TaskChainTerms Terms(bool dp = true) =>
        new(ChainId, Sites, [.. _signers.Select(s => s.PublicKey)], Rounds: 4, Quorum: 4, F: 1)
        {
            Privacy = dp ? new ChainPrivacyTerms(Sigma, Delta, Batch, LocalEpochs: 2) : null,
        };

    private IReadOnlyList<TaskChainEvent> Apply(TaskChain chain, params TaskRequest[] requests)
    {
        var executed = requests.Select(r =>
            new ClientRequest(r.Site, ++_requestId, r.ToPayload(ChainId, b => _signers[Array.IndexOf(Sites, r.Site)].Sign(b)))).ToList();
        _blocks.Add(new CertifiedBlockStub(++_height, executed));
        return chain.Apply(_height, executed);
    }

    private static PrivacyClaim Honest(long steps) =>
        new(Q, Sigma, steps, Delta, RdpAccountant.ComputeEpsilon(Q, Sigma, steps, Delta).Epsilon);

    private static UpdatePublished Update(int round, string site, PrivacyClaim? claim, long samples = Samples) =>
        new(round, site, new string((char)('0' + site[0] % 10), 64), samples) { Privacy = claim };

    /// <summary>The global model every honest round finalizes (its digest is what the votes name).</summary>
    private static readonly float[] Model = [0.5f, -1.25f, 2f, 0f];

    /// <summary>Publishes every site's honest update for the chain's round and finalizes it.</summary>
    private void HonestRound(TaskChain chain)
    {
        var round = chain.CurrentRound;
        var closed = Apply(chain, [.. Sites.Select(s => Update(round, s, Honest(round * (long)StepsPerRound)))]).OfType<RoundClosed>().Single();
        Apply(chain, [.. Sites.Select(s => new AggregateVote(round, s, closed.UpdateSetDigest, "agg", Swarm.Learning.Updates.ModelDigest.Hex(Model)))]);
        Assert.Equal(round + 1, chain.CurrentRound);
    }

    private static TaskSpec DpSpec() => new()
    {
        Id = "dp",
        Model = "smallcnn",
        Participants = Sites,
        Datasets = Sites.ToDictionary(s => s, _ => "synthetic"),
        Rounds = 4,
        LocalEpochs = 2,
        Optimizer = new OptimizerSpec("adam", BatchSize: Batch),
        Privacy = new PrivacySpec(PrivacyModes.Local, Sigma, 1.0, Delta),
    };

    [Fact]
    public void A_restarted_site_resumes_its_spending_from_the_chain_and_refuses_a_round_past_its_budget_instead_of_training()
    {
        var chain = new TaskChain(Terms(), _verifier);
        HonestRound(chain);
        HonestRound(chain);
        var budget = new PrivacyBudget(SitePrivacyPlan.EpsilonOf(Q, Sigma, 5L * StepsPerRound / 2, Delta), Delta);
        var site = new TaskSite(DpSpec(), "b", chain, [0f, 0f, 0f, 0f], new SitePrivacy(Samples, budget));

        Assert.Equal(2L * StepsPerRound, site.StepsSpent);
        Assert.StartsWith($"local DP: ε = ", site.Progress().Detail, StringComparison.Ordinal);
        site.Step(new SiteStarted(Restarted: true));
        var outputs = site.Step(new BlobArrived("a", BlobKind.Model, Swarm.Learning.Updates.ModelDigest.Hex(Model),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(Model.AsSpan()).ToArray()));

        Assert.DoesNotContain(outputs, o => o is TrainRound);
        var refusal = Assert.Single(outputs.OfType<SubmitToChain>().Select(s => s.Request).OfType<BudgetRefused>());
        Assert.Equal((3, "b", chain.SpentBy("b")!.Epsilon, budget.Epsilon), (refusal.Round, refusal.Site, refusal.EpsilonSpent, refusal.BudgetEpsilon));
        Assert.Equal(SitePrivacyPlan.EpsilonOf(Q, Sigma, 3L * StepsPerRound, Delta), refusal.EpsilonAfterRound);
        // A site with room for the round trains it.
        var roomy = new TaskSite(DpSpec(), "c", chain, [0f, 0f, 0f, 0f], new SitePrivacy(Samples, budget with { Epsilon = 100 }));
        roomy.Step(new SiteStarted(Restarted: true));
        Assert.Contains(roomy.Step(new BlobArrived("a", BlobKind.Model, Swarm.Learning.Updates.ModelDigest.Hex(Model),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(Model.AsSpan()).ToArray())), o => o is TrainRound { Round: 3 });
    }

    [Fact]
    public void A_site_of_a_local_dp_task_without_its_sample_count_is_a_setup_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new TaskSite(DpSpec(), "b", new TaskChain(Terms(), _verifier), [0f]));

        Assert.Contains("needs its sample count", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_epsilon_the_chain_records_per_round_and_site_is_the_accountants_for_the_same_parameters()
    {
        var chain = new TaskChain(Terms(), _verifier);

        HonestRound(chain);
        HonestRound(chain);

        for (var round = 1; round <= 2; round++)
        {
            var expected = RdpAccountant.ComputeEpsilon(Q, Sigma, round * StepsPerRound, Delta).Epsilon;
            Assert.All(Sites, site =>
            {
                var claim = chain.PrivacyOf(round)[site];
                Assert.Equal((Q, Sigma, (long)round * StepsPerRound, Delta), (claim.SamplingRate, claim.NoiseMultiplier, claim.Steps, claim.Delta));
                Assert.Equal(expected, claim.Epsilon);
            });
        }
        Assert.True(chain.PrivacyOf(2)["a"].Epsilon > chain.PrivacyOf(1)["a"].Epsilon);
        Assert.Equal(2L * StepsPerRound, chain.SpentBy("c")!.Steps);
    }

    [Fact]
    public void An_update_that_under_reports_its_epsilon_or_its_steps_or_claims_other_terms_is_refused_and_not_counted()
    {
        var chain = new TaskChain(Terms(), _verifier);
        var honest = Honest(StepsPerRound);
        var lies = new (PrivacyClaim Claim, string Reason)[]
        {
            (honest with { Epsilon = honest.Epsilon / 2 }, "the accountant gives"),
            (Honest(StepsPerRound - 1), $"make at least {StepsPerRound}"),
            (honest with { NoiseMultiplier = 5 }, "the task gives"),
            (honest with { Delta = 1e-3 }, "the task gives"),
            // A smaller q than the site's sample count gives would spend less ε per step.
            (honest with { SamplingRate = Q / 10, Epsilon = SitePrivacyPlan.EpsilonOf(Q / 10, Sigma, StepsPerRound, Delta) }, "the task gives"),
        };

        foreach (var (claim, reason) in lies)
        {
            var ignored = Assert.Single(Apply(chain, Update(1, "a", claim)).OfType<RequestIgnored>());
            Assert.Contains(reason, ignored.Reason, StringComparison.Ordinal);
        }
        var missing = Assert.Single(Apply(chain, Update(1, "a", claim: null)).OfType<RequestIgnored>());
        Assert.Contains("carries no privacy claim", missing.Reason, StringComparison.Ordinal);

        Assert.False(chain.HasPublished("a"));
        Assert.Empty(chain.PrivacyOf(1));
        Assert.Single(Apply(chain, Update(1, "a", honest)).OfType<PrivacyRecorded>());
        Assert.True(chain.HasPublished("a"));
    }

    [Fact]
    public void A_site_cannot_restart_its_step_count_in_a_later_round()
    {
        var chain = new TaskChain(Terms(), _verifier);
        HonestRound(chain);

        // Round 2 claiming only one round of steps again (as if round 1 had cost nothing).
        var ignored = Assert.Single(Apply(chain, Update(2, "b", Honest(StepsPerRound))).OfType<RequestIgnored>());

        Assert.Contains($"make at least {2 * StepsPerRound}", ignored.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_task_without_dp_refuses_a_privacy_claim_and_records_nothing()
    {
        var chain = new TaskChain(Terms(dp: false), _verifier);

        var ignored = Assert.Single(Apply(chain, Update(1, "a", Honest(StepsPerRound))).OfType<RequestIgnored>());

        Assert.Contains("the task runs no DP", ignored.Reason, StringComparison.Ordinal);
        Assert.Empty(Apply(chain, Update(1, "a", claim: null)).OfType<RequestIgnored>());
        Assert.Null(chain.SpentBy("a"));
    }

    [Fact]
    public void A_budget_refusal_ends_the_task_at_its_block_with_the_reason_and_later_requests_are_ignored()
    {
        var chain = new TaskChain(Terms(), _verifier);
        HonestRound(chain);
        HonestRound(chain);
        var spent = chain.SpentBy("b")!.Epsilon;
        var after = SitePrivacyPlan.EpsilonOf(Q, Sigma, 3L * StepsPerRound, Delta);

        var cancelled = Assert.Single(Apply(chain, new BudgetRefused(3, "b", spent, after, 2.0, Delta)).OfType<TaskCancelled>());

        Assert.True(chain.IsOver);
        Assert.Equal("b", cancelled.Site);
        Assert.NotNull(cancelled.Budget);
        Assert.StartsWith("privacy budget: round 3 would bring site 'b' from ε = ", cancelled.Reason, StringComparison.Ordinal);
        Assert.Contains("over its budget ε = 2", cancelled.Reason, StringComparison.Ordinal);
        Assert.Equal(2, chain.Finalized.Count);
        Assert.Contains("the task is over", Assert.Single(Apply(chain, Update(3, "a", Honest(3L * StepsPerRound))).OfType<RequestIgnored>()).Reason,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_budget_refusal_for_another_round_than_the_current_one_is_ignored()
    {
        var chain = new TaskChain(Terms(), _verifier);

        Assert.Single(Apply(chain, new BudgetRefused(3, "b", 1, 2, 1.5, Delta)).OfType<RequestIgnored>());

        Assert.False(chain.IsOver);
    }

    [Fact]
    public void Privacy_claims_and_refusals_survive_the_wire_bit_for_bit_and_updates_without_dp_keep_their_bytes()
    {
        var update = Update(2, "c", Honest(7));
        var refusal = new BudgetRefused(3, "c", 1.25, 2.5, 2, Delta);
        var plain = Update(2, "c", claim: null);

        var decodedUpdate = (UpdatePublished)TaskRequest.TryDecode(update.ToPayload(ChainId, b => b), out _, out _, out _)!;
        var decodedRefusal = TaskRequest.TryDecode(refusal.ToPayload(ChainId, b => b), out _, out _, out _);

        Assert.Equal(update.Privacy, decodedUpdate.Privacy);
        Assert.Equal(refusal, decodedRefusal);
        // Kind 1 stays the layout of an update without DP, as before claims existed.
        var before = new CanonicalWriter(160).WriteString("swarm.task-request.v1").WriteInt32(2).WriteString("c")
            .WriteByte(1).WriteString(plain.UpdateHash).WriteInt64(Samples).ToArray();
        Assert.Equal(before, plain.EncodeBody());
    }

    [Fact]
    public void A_replayed_chain_rebuilds_every_sites_spending()
    {
        var chain = new TaskChain(Terms(), _verifier);
        HonestRound(chain);
        HonestRound(chain);

        var replayed = new TaskChain(Terms(), _verifier);
        foreach (var block in _blocks)
        {
            replayed.Apply(block.Height, block.Requests);
        }

        Assert.All(Sites, s => Assert.Equal(chain.SpentBy(s), replayed.SpentBy(s)));
        Assert.Equal(chain.PrivacyOf(2).OrderBy(p => p.Key), replayed.PrivacyOf(2).OrderBy(p => p.Key));
    }

    public void Dispose()
    {
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
    }
}
