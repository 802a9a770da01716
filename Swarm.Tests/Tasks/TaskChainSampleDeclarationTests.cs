using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>Sample counts declared at consent on the task's chain (<see cref="TaskChainTerms.SamplesDeclaredAtConsent"/>):
/// every replica checks each declaration against the member's genesis key, the first valid record fixes the counts
/// for the task, and an update before it or with another count is refused by every replica.</summary>
public sealed class TaskChainSampleDeclarationTests : IDisposable
{
    private const string ChainId = "task/t/0123456789abcdef";
    private static readonly string[] Sites = ["a", "b", "c", "d"];
    private static readonly long[] Counts = [100, 200, 300, 400];
    private readonly Ed25519Signer[] _signers = [.. Sites.Select(_ => Ed25519Signer.Generate())];
    private readonly Ed25519SignatureScheme _verifier = new();
    private long _requestId;
    private long _height;

    private TaskChainTerms Terms(bool declared = true) =>
        new(ChainId, Sites, [.. _signers.Select(s => s.PublicKey)], Rounds: 2, Quorum: 4, F: 1) { SamplesDeclaredAtConsent = declared };

    /// <summary>Four replicas of one chain: each applies the same committed blocks.</summary>
    private TaskChain[] Replicas() => [.. Sites.Select(_ => new TaskChain(Terms(), _verifier))];

    private SampleDeclaration Declaration(int site, long? count = null, int? signer = null, string taskId = "t", string chainId = ChainId) =>
        SampleDeclaration.Sign(chainId, taskId, Sites[site], count ?? Counts[site], b => _signers[signer ?? site].Sign(b));

    private IReadOnlyList<SampleDeclaration> Honest() => [.. Sites.Select((_, i) => Declaration(i))];

    private ClientRequest Request(TaskRequest request)
    {
        var key = _signers[Array.IndexOf(Sites, request.Site)];
        return new ClientRequest(request.Site, ++_requestId, request.ToPayload(ChainId, b => key.Sign(b)));
    }

    /// <summary>Applies one block to every replica; the events of each.</summary>
    private List<IReadOnlyList<TaskChainEvent>> Apply(TaskChain[] replicas, params TaskRequest[] requests)
    {
        var block = requests.Select(Request).ToList();
        var height = ++_height;
        return [.. replicas.Select(r => r.Apply(height, block))];
    }

    private static UpdatePublished Update(int round, int site, long? count = null) =>
        new(round, Sites[site], new string((char)('0' + site), 64), count ?? Counts[site]);

    [Fact]
    public void The_first_valid_record_fixes_every_sites_count_on_every_replica()
    {
        var replicas = Replicas();
        var events = Apply(replicas, new SamplesDeclared("b", Honest()));
        Assert.All(events, e => Assert.Equal(Counts, Assert.Single(e.OfType<SamplesFixed>()).Counts.OrderBy(c => c.Key).Select(c => c.Value)));
        Assert.All(replicas, r => Assert.Equal(1, r.SamplesFixedAt));
        Assert.All(replicas, r => Assert.Equal(300, r.SamplesOf("c")));
    }

    [Fact]
    public void A_second_record_cannot_change_the_fixed_counts()
    {
        var replicas = Replicas();
        Apply(replicas, new SamplesDeclared("a", Honest()));
        // d holds validly signed declarations of other counts (say, from an earlier consent); too late.
        var other = Sites.Select((_, i) => Declaration(i, count: 50)).ToList();
        var events = Apply(replicas, new SamplesDeclared("d", other));
        Assert.All(events, e => Assert.Contains("already fixed at height 1", Assert.Single(e.OfType<RequestIgnored>()).Reason, StringComparison.Ordinal));
        Assert.All(replicas, r => Assert.Equal(400, r.SamplesOf("d")));
    }

    [Fact]
    public void Every_replica_refuses_a_record_with_a_forged_declaration()
    {
        var replicas = Replicas();
        // a submits the record with b's declaration raised to 5000 and signed by a itself.
        var forged = Honest().ToList();
        forged[1] = Declaration(1, count: 5_000, signer: 0);
        var events = Apply(replicas, new SamplesDeclared("a", forged));
        Assert.All(events, e => Assert.Contains("is not signed by its key", Assert.Single(e.OfType<RequestIgnored>()).Reason, StringComparison.Ordinal));
        Assert.All(replicas, r => Assert.Null(r.SamplesFixedAt));

        // b's real declaration with its count altered after signing.
        var altered = Honest().ToList();
        altered[1] = altered[1] with { SampleCount = 5_000 };
        Assert.All(Apply(replicas, new SamplesDeclared("a", altered)), e => Assert.Single(e.OfType<RequestIgnored>()));

        // Declarations of another task (another chain id), of another site's slot, or missing one site.
        Assert.All(Apply(replicas, new SamplesDeclared("a", [.. Sites.Select((_, i) => Declaration(i, chainId: "task/t/fedcba9876543210"))])),
            e => Assert.Single(e.OfType<RequestIgnored>()));
        Assert.All(Apply(replicas, new SamplesDeclared("a", [.. Honest().Reverse()])), e => Assert.Single(e.OfType<RequestIgnored>()));
        Assert.All(Apply(replicas, new SamplesDeclared("a", [.. Honest().Take(3)])), e => Assert.Single(e.OfType<RequestIgnored>()));
        Assert.All(replicas, r => Assert.Null(r.SamplesFixedAt));

        // The honest record still fixes the counts afterwards.
        Apply(replicas, new SamplesDeclared("c", Honest()));
        Assert.All(replicas, r => Assert.Equal(200, r.SamplesOf("b")));
    }

    [Fact]
    public void A_record_over_the_tasks_bound_is_refused()
    {
        var chain = new TaskChain(Terms() with { SampleCountMax = 350 }, _verifier);
        var events = chain.Apply(++_height, [Request(new SamplesDeclared("a", Honest()))]);
        Assert.Contains("at most 350", Assert.Single(events.OfType<RequestIgnored>()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_update_before_the_record_is_refused_by_every_replica()
    {
        var replicas = Replicas();
        var events = Apply(replicas, Update(1, 0));
        Assert.All(events, e => Assert.Contains("before the chain recorded the sample counts", Assert.Single(e.OfType<RequestIgnored>()).Reason,
            StringComparison.Ordinal));
        Assert.All(replicas, r => Assert.False(r.HasPublished("a")));
        Apply(replicas, new SamplesDeclared("a", Honest()));
        Assert.All(Apply(replicas, Update(1, 0)), e => Assert.Empty(e.OfType<RequestIgnored>()));
        Assert.All(replicas, r => Assert.True(r.HasPublished("a")));
    }

    [Fact]
    public void An_update_claiming_another_count_than_declared_is_refused_and_the_round_weighs_the_fixed_counts()
    {
        var replicas = Replicas();
        Apply(replicas, new SamplesDeclared("a", Honest()));
        var events = Apply(replicas, Update(1, 0, count: 1_000));
        Assert.All(events, e => Assert.Contains("declared 100 at consent", Assert.Single(e.OfType<RequestIgnored>()).Reason, StringComparison.Ordinal));
        Assert.All(replicas, r => Assert.False(r.HasPublished("a")));
        var closed = Apply(replicas, Update(1, 0), Update(1, 1), Update(1, 2), Update(1, 3));
        Assert.All(closed, e => Assert.Equal(Counts, Assert.Single(e.OfType<RoundClosed>()).Included.Select(u => u.SampleCount)));
    }

    [Fact]
    public void Without_the_term_the_first_update_fixes_the_count_and_records_are_ignored()
    {
        var chain = new TaskChain(Terms(declared: false), _verifier);
        Assert.Single(chain.Apply(++_height, [Request(new SamplesDeclared("a", Honest()))]).OfType<RequestIgnored>());
        Assert.Empty(chain.Apply(++_height, [Request(Update(1, 0, count: 7))]).OfType<RequestIgnored>());
        Assert.Equal(7, chain.SamplesOf("a"));
    }

    [Fact]
    public void Genesis_sets_the_term_for_round_tasks()
    {
        var spec = new TaskSpec { Id = "t", Model = "smallcnn", Participants = ["a"], Datasets = new Dictionary<string, string> { ["a"] = "pneumoniamnist" } };
        var (_, terms) = TaskGenesis.Create(spec, TaskSpecCodec.Encode(spec), [new byte[32]]);
        Assert.True(terms.SamplesDeclaredAtConsent);
    }

    [Fact]
    public void The_record_round_trips_through_its_canonical_encoding()
    {
        var request = new SamplesDeclared("c", Honest());
        var payload = request.ToPayload(ChainId, b => _signers[2].Sign(b));
        var decoded = Assert.IsType<SamplesDeclared>(TaskRequest.TryDecode(payload, out _, out _, out var problem));
        Assert.Equal("", problem);
        Assert.Equal("c", decoded.Site);
        Assert.All(decoded.Declarations.Zip(request.Declarations), p => Assert.True(p.Item1.SameAs(p.Item2)));
    }

    private static TaskSpec RoundSpec() => new()
    {
        Id = "t",
        Model = "smallcnn",
        Participants = Sites,
        Datasets = Sites.ToDictionary(s => s, _ => "synthetic"),
        Rounds = 2,
    };

    /// <summary>Site b of a fresh chain with <paramref name="samples"/> training samples now, started with
    /// <paramref name="declarations"/>; the outputs of its start.</summary>
    private (TaskSite Site, IReadOnlyList<SiteOutput> Started) SiteB(long samples, IReadOnlyList<SampleDeclaration> declarations)
    {
        var site = new TaskSite(RoundSpec(), "b", new TaskChain(Terms(), _verifier), [0f, 0f, 0f, 0f], new SitePrivacy(samples))
        {
            Declarations = declarations,
        };
        return (site, site.Step(new SiteStarted(Restarted: false)));
    }

    private IReadOnlyList<SiteOutput> Commit(TaskSite site, TaskRequest request) =>
        site.Step(new ChainCommitted([new CommittedBlock(++_height, [Request(request)])]));

    private static IEnumerable<TaskRequest> Submitted(IEnumerable<SiteOutput> outputs) => outputs.OfType<SubmitToChain>().Select(s => s.Request);

    [Fact]
    public void A_site_asks_the_chain_to_record_its_starts_declarations_and_trains_only_once_they_are_fixed()
    {
        var (site, started) = SiteB(200, Honest());
        Assert.Empty(Submitted(started));
        Assert.DoesNotContain(started, o => o is TrainRound);
        Assert.Contains("waiting for the chain to record the sample counts", site.Progress().Detail, StringComparison.Ordinal);
        // The record goes out after two retry periods (the other peers are up by then), and again on each retry.
        Assert.Empty(Submitted(site.Step(RetryDue.Instance)));
        var retried = site.Step(RetryDue.Instance);
        var record = Assert.IsType<SamplesDeclared>(Assert.Single(Submitted(retried)));
        Assert.Equal(Sites, record.Declarations.Select(d => d.Site));
        Assert.DoesNotContain(retried, o => o is TrainRound);
        Assert.IsType<SamplesDeclared>(Assert.Single(Submitted(site.Step(RetryDue.Instance))));

        // Another site's record arrives first: it fixes the same counts, and b trains.
        Assert.Contains(Commit(site, new SamplesDeclared("c", Honest())), o => o is TrainRound { Round: 1 });
        Assert.Null(site.Progress().Detail);
    }

    [Fact]
    public void A_site_whose_data_changed_since_its_declaration_asks_the_chain_to_end_the_task()
    {
        var (site, _) = SiteB(250, Honest());
        var outputs = Commit(site, new SamplesDeclared("a", Honest()));
        Assert.DoesNotContain(outputs, o => o is TrainRound);
        var cancel = Assert.IsType<CancellationRequest>(Assert.Single(Submitted(outputs)));
        Assert.Contains("now has 250 training samples, but declared 200 at consent", cancel.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(site.Step(RetryDue.Instance), o => o is TrainRound);
    }

    [Fact]
    public void A_site_whose_start_carried_other_declarations_than_the_chain_recorded_asks_the_chain_to_end_the_task()
    {
        // The submitter gave b a validly signed but different declaration of a (say, from an earlier consent).
        var told = Honest().ToList();
        told[0] = Declaration(0, count: 50);
        var (site, _) = SiteB(200, told);
        var outputs = Commit(site, new SamplesDeclared("a", Honest()));
        Assert.DoesNotContain(outputs, o => o is TrainRound);
        var cancel = Assert.IsType<CancellationRequest>(Assert.Single(Submitted(outputs)));
        Assert.Contains("a 100, b 200, c 300, d 400", cancel.Reason, StringComparison.Ordinal);
        Assert.Contains("differ from the declarations site 'b' got with the task's start (a 50,", cancel.Reason, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
    }
}
