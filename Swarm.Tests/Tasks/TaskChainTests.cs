using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>The task chain's application state: rounds close at the quorum or on f + 1 deadline notices, a round
/// is final only on enough matching votes (a lying site is outvoted), and nothing unsigned or misaddressed counts.</summary>
public sealed class TaskChainTests : IDisposable
{
    private static readonly string[] Sites = ["a", "b", "c", "d"];
    private readonly Ed25519Signer[] _signers = [.. Sites.Select(_ => Ed25519Signer.Generate())];
    private readonly Ed25519SignatureScheme _verifier = new();
    private long _requestId;
    private long _height;

    private TaskChain NewChain(int quorum = 4, int rounds = 2) =>
        new(new TaskChainTerms("task/t/0", Sites, [.. _signers.Select(s => s.PublicKey)], rounds, quorum, F: 1), _verifier);

    private ClientRequest Request(TaskRequest request, int signer = -1, string? client = null)
    {
        var key = _signers[signer >= 0 ? signer : Array.IndexOf(Sites, request.Site)];
        return new ClientRequest(client ?? request.Site, ++_requestId, request.ToPayload("task/t/0", b => key.Sign(b)));
    }

    private IReadOnlyList<TaskChainEvent> Apply(TaskChain chain, params TaskRequest[] requests) =>
        chain.Apply(++_height, [.. requests.Select(r => Request(r))]);

    private static UpdatePublished Update(int round, string site) => new(round, site, new string((char)('0' + site[0] % 10), 64), 100);

    private static AggregateVote Vote(RoundClosed closed, string site, string model = "m1") =>
        new(closed.Round, site, closed.UpdateSetDigest, "agg-" + model, model);

    [Fact]
    public void A_site_cannot_change_its_declared_sample_count_nor_pass_the_tasks_bound()
    {
        var chain = new TaskChain(new TaskChainTerms("task/t/0", Sites, [.. _signers.Select(s => s.PublicKey)], 2, 4, F: 1)
        {
            SampleCountMax = 1_000,
        }, _verifier);
        Apply(chain, Update(1, "a"), Update(1, "b"), Update(1, "c"));
        var over = Apply(chain, Update(1, "d") with { SampleCount = 1_000_000 }).OfType<RequestIgnored>().Single();
        Assert.Contains("at most 1000", over.Reason, StringComparison.Ordinal);
        var closed = Assert.Single(Apply(chain, Update(1, "d")).OfType<RoundClosed>());
        Apply(chain, [.. Sites.Select(s => Vote(closed, s))]);
        Assert.Equal(2, chain.CurrentRound);
        Assert.Equal(100, chain.SamplesOf("a"));

        // Round 2: site a raises its FedAvg weight (within the bound); every replica ignores the update.
        var inflated = Apply(chain, Update(2, "a") with { SampleCount = 900 }).OfType<RequestIgnored>().Single();
        Assert.Contains("declared 100 with its first update", inflated.Reason, StringComparison.Ordinal);
        Assert.False(chain.HasPublished("a"));
        Assert.Empty(Apply(chain, Update(2, "a")).OfType<RequestIgnored>());
        Assert.True(chain.HasPublished("a"));
        Assert.Contains("at least 1", Apply(chain, Update(2, "b") with { SampleCount = 0 }).OfType<RequestIgnored>().Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_round_closes_at_the_quorum_in_commit_order_and_later_updates_are_not_included()
    {
        var chain = NewChain(quorum: 3);
        Assert.Empty(Apply(chain, Update(1, "c"), Update(1, "a")).OfType<RoundClosed>());
        var closed = Assert.Single(Apply(chain, Update(1, "d"), Update(1, "b")).OfType<RoundClosed>());

        Assert.Equal(["c", "a", "d"], closed.Included.Select(u => u.Site));
        Assert.Same(closed, chain.CurrentClosed);
        Assert.False(chain.HasPublished("b"));
    }

    [Fact]
    public void Deadline_notices_close_a_round_only_from_f_plus_one_sites_and_with_an_update()
    {
        var chain = NewChain();
        Assert.Empty(Apply(chain, new CloseRound(1, "a"), new CloseRound(1, "b")).OfType<RoundClosed>());
        Assert.Null(chain.CurrentClosed);
        // Past the deadline, the first update closes the round.
        var closed = Assert.Single(Apply(chain, Update(1, "c")).OfType<RoundClosed>());
        Assert.Equal(["c"], closed.Included.Select(u => u.Site));

        var single = NewChain();
        Apply(single, Update(1, "a"));
        Assert.Empty(Apply(single, new CloseRound(1, "b"), new CloseRound(1, "b")).OfType<RoundClosed>());
        Assert.Single(Apply(single, new CloseRound(1, "d")).OfType<RoundClosed>());
    }

    [Fact]
    public void An_update_f_plus_one_sites_cannot_get_is_dropped_and_the_round_closes_again_with_the_late_update()
    {
        var chain = NewChain(quorum: 3);
        var closed = Assert.Single(Apply(chain, Update(1, "d"), Update(1, "a"), Update(1, "b")).OfType<RoundClosed>());
        // c's update came after the round closed: not included, kept.
        Assert.Empty(Apply(chain, Update(1, "c")).OfType<RoundClosed>());
        Apply(chain, Vote(closed, "d"));

        // One report (a liar alone, or one site's bad luck) changes nothing; nor does one on another set, nor a site
        // naming its own update, nor naming a site whose update is not included.
        Assert.Empty(Apply(chain, new UpdatesMissing(1, "a", closed.UpdateSetDigest, ["d"])).OfType<UpdatesDropped>());
        Assert.Contains("another update set", Apply(chain, new UpdatesMissing(1, "b", new string('0', 64), ["d"])).OfType<RequestIgnored>().Single().Reason,
            StringComparison.Ordinal);
        Assert.Empty(Apply(chain, new UpdatesMissing(1, "d", closed.UpdateSetDigest, ["d"]), new UpdatesMissing(1, "c", closed.UpdateSetDigest, ["c"]))
            .OfType<UpdatesDropped>());
        Assert.Same(closed, chain.CurrentClosed);

        // The second site (f + 1 = 2) naming d: d's update goes, c's late one takes its place, the round closes again.
        var events = Apply(chain, new UpdatesMissing(1, "b", closed.UpdateSetDigest, ["d"]));
        Assert.Equal(["d"], Assert.Single(events.OfType<UpdatesDropped>()).Sites);
        var again = Assert.Single(events.OfType<RoundClosed>());
        Assert.Equal(["a", "b", "c"], again.Included.Select(u => u.Site));
        Assert.NotEqual(closed.UpdateSetDigest, again.UpdateSetDigest);

        // Votes on the old set no longer count (d's vote before the drop was forgotten), and d takes no other update.
        Assert.Contains("another update set", Apply(chain, Vote(closed, "a")).OfType<RequestIgnored>().Single().Reason, StringComparison.Ordinal);
        Assert.Contains("dropped", Apply(chain, Update(1, "d") with { UpdateHash = new string('e', 64) }).OfType<RequestIgnored>().Single().Reason,
            StringComparison.Ordinal);
        Assert.Empty(Apply(chain, Vote(again, "a"), Vote(again, "b")).OfType<RoundFinalized>());
        var final = Assert.Single(Apply(chain, Vote(again, "c")).OfType<RoundFinalized>()).Round;
        Assert.Equal(["a", "b", "c"], final.Included.Select(u => u.Site));
    }

    [Fact]
    public void A_round_that_drops_updates_without_enough_left_stays_open_until_an_update_closes_it()
    {
        var chain = NewChain(quorum: 1);
        var closed = Assert.Single(Apply(chain, Update(1, "d")).OfType<RoundClosed>());
        var events = Apply(chain, new UpdatesMissing(1, "a", closed.UpdateSetDigest, ["d"]), new UpdatesMissing(1, "b", closed.UpdateSetDigest, ["d"]));
        Assert.Single(events.OfType<UpdatesDropped>());
        Assert.Empty(events.OfType<RoundClosed>());
        Assert.Null(chain.CurrentClosed);
        // The reporters waited out a deadline each (f + 1 notices): the next update closes the round.
        Assert.Equal(["a"], Assert.Single(Apply(chain, Update(1, "a")).OfType<RoundClosed>()).Included.Select(u => u.Site));
    }

    [Fact]
    public void Under_secure_aggregation_a_missing_update_report_is_refused_with_a_reason()
    {
        var terms = new TaskChainTerms("task/t/0", Sites, [.. _signers.Select(s => s.PublicKey)], 2, 3, F: 1)
        {
            SecureAggregation = new ChainSecAggTerms(3),
        };
        var chain = new TaskChain(terms, _verifier);
        var digest = TaskChain.UpdateSetDigest([]);
        var refused = Apply(chain, new UpdatesMissing(1, "a", digest, ["d"]), new UpdatesMissing(1, "b", digest, ["d"])).OfType<RequestIgnored>().ToList();
        Assert.Equal(2, refused.Count);
        Assert.All(refused, r => Assert.Contains("secure aggregation", r.Reason, StringComparison.Ordinal));

        var plain = NewChain();
        Assert.Contains("which is open", Apply(plain, new UpdatesMissing(1, "a", digest, ["d"])).OfType<RequestIgnored>().Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_site_voting_another_aggregate_is_outvoted_and_the_round_is_final_on_two_f_plus_one_votes()
    {
        var chain = NewChain();
        var closed = Apply(chain, Sites.Select(s => Update(1, s)).ToArray()).OfType<RoundClosed>().Single();

        Assert.Empty(Apply(chain, Vote(closed, "a"), Vote(closed, "d", model: "forged"), Vote(closed, "b")).OfType<RoundFinalized>());
        var final = Assert.Single(Apply(chain, Vote(closed, "c")).OfType<RoundFinalized>()).Round;

        Assert.Equal("m1", final.ModelHash);
        Assert.Equal(["a", "b", "c"], final.Agreeing);
        Assert.Equal(["d"], final.Outvoted);
        Assert.Equal(2, chain.CurrentRound);
    }

    [Fact]
    public void A_minority_can_never_finalize_a_hash_and_a_late_dissent_is_reported()
    {
        var chain = NewChain();
        var closed = Apply(chain, Sites.Select(s => Update(1, s)).ToArray()).OfType<RoundClosed>().Single();
        Assert.Empty(Apply(chain, Vote(closed, "d", "forged"), Vote(closed, "a", "forged")).OfType<RoundFinalized>());
        Assert.Empty(Apply(chain, Vote(closed, "b")).OfType<RoundFinalized>());
        Assert.Equal(1, chain.CurrentRound);

        var chain2 = NewChain();
        var closed2 = Apply(chain2, Sites.Select(s => Update(1, s)).ToArray()).OfType<RoundClosed>().Single();
        Apply(chain2, Vote(closed2, "a"), Vote(closed2, "b"), Vote(closed2, "c"));
        var late = Assert.Single(Apply(chain2, Vote(closed2, "d", "forged")).OfType<VoteOutvoted>());
        Assert.Equal("d", late.Site);
    }

    [Fact]
    public void Forged_misaddressed_and_off_set_requests_are_ignored_with_a_reason()
    {
        var chain = NewChain();
        // d signs an update in a's name; a's request is relayed under another client id.
        var forged = chain.Apply(++_height, [Request(Update(1, "a"), signer: 3)]);
        var misaddressed = chain.Apply(++_height, [Request(Update(1, "a"), client: "b")]);
        var garbage = chain.Apply(++_height, [new ClientRequest("a", ++_requestId, [1, 2, 3])]);

        Assert.Contains("bad signature", Assert.IsType<RequestIgnored>(Assert.Single(forged)).Reason, StringComparison.Ordinal);
        Assert.Contains("not the client", Assert.IsType<RequestIgnored>(Assert.Single(misaddressed)).Reason, StringComparison.Ordinal);
        Assert.Contains("malformed", Assert.IsType<RequestIgnored>(Assert.Single(garbage)).Reason, StringComparison.Ordinal);
        Assert.False(chain.HasPublished("a"));

        var closed = Apply(chain, Sites.Select(s => Update(1, s)).ToArray()).OfType<RoundClosed>().Single();
        var wrongSet = Apply(chain, new AggregateVote(1, "a", "another-set", "agg", "m1"));
        Assert.Contains("another update set", Assert.IsType<RequestIgnored>(Assert.Single(wrongSet)).Reason, StringComparison.Ordinal);
        Assert.False(chain.HasVoted("a"));
        Assert.NotNull(closed);
    }

    [Fact]
    public void A_request_signed_by_a_key_outside_the_chain_is_ignored()
    {
        var chain = NewChain();
        using var stranger = Ed25519Signer.Generate();
        var request = new ClientRequest("a", ++_requestId, Update(1, "a").ToPayload("task/t/0", b => stranger.Sign(b)));

        var ignored = chain.Apply(++_height, [request]);

        Assert.Contains("bad signature", Assert.IsType<RequestIgnored>(Assert.Single(ignored)).Reason, StringComparison.Ordinal);
        Assert.False(chain.HasPublished("a"));
    }

    [Fact]
    public void The_last_final_round_completes_the_task_and_a_cancellation_ends_it()
    {
        var chain = NewChain(rounds: 1);
        var closed = Apply(chain, Sites.Select(s => Update(1, s)).ToArray()).OfType<RoundClosed>().Single();
        Assert.IsType<RequestIgnored>(Assert.Single(Apply(chain, new ValidationReport(1, "a", 0.9, 0.8, 10))));
        var events = Apply(chain, Vote(closed, "a"), Vote(closed, "b"), Vote(closed, "c"));
        Assert.Single(events.OfType<TaskCompleted>());
        Assert.True(chain.IsComplete);
        Assert.IsType<RequestIgnored>(Assert.Single(Apply(chain, Update(2, "a"))));
        // Scores of the final rounds are still recorded after the last one; NaN (a one-class slice) survives.
        Assert.Single(Apply(chain, new ValidationReport(1, "a", 0.9, 0.8, 10), new ValidationReport(1, "a", 0.1, 0.1, 10)).OfType<ValidationReported>());
        Apply(chain, new ValidationReport(1, "b", double.NaN, 0.5, 3));
        Assert.Equal(0.9, chain.ValidationOf(1)["a"].Auc, 6);
        Assert.True(double.IsNaN(chain.ValidationOf(1)["b"].Auc));

        var cancelled = NewChain();
        Apply(cancelled, Update(1, "a"));
        var cancel = Assert.Single(Apply(cancelled, new CancellationRequest("b", "data withdrawn")).OfType<TaskCancelled>());
        Assert.Equal("data withdrawn", cancel.Reason);
        Assert.True(cancelled.IsOver);
        Assert.IsType<RequestIgnored>(Assert.Single(Apply(cancelled, Update(1, "c"))));
    }

    [Fact]
    public void Two_sites_applying_the_same_blocks_reach_the_same_rounds()
    {
        var blocks = new List<IReadOnlyList<ClientRequest>>();
        var chain = NewChain();
        var closed = Apply(chain, Sites.Select(s => Update(1, s)).ToArray()).OfType<RoundClosed>().Single();
        blocks.Add([.. Sites.Select(s => Request(Update(1, s)))]);
        blocks.Add([.. Sites.Reverse().Select(s => Request(Vote(closed, s, s == "d" ? "x" : "m1")))]);

        var first = NewChain();
        var second = NewChain();
        for (var h = 0; h < blocks.Count; h++)
        {
            first.Apply(h + 1, blocks[h]);
            second.Apply(h + 1, blocks[h]);
        }
        Assert.Equal(first.Finalized, second.Finalized, (x, y) => x.ModelHash == y.ModelHash && x.Agreeing.SequenceEqual(y.Agreeing)
            && x.Outvoted.SequenceEqual(y.Outvoted) && x.Height == y.Height);
        Assert.Equal(["d"], first.Finalized.Single().Outvoted);
    }

    [Fact]
    public void Replaying_a_ledger_runs_each_client_request_once_as_the_replica_did()
    {
        var updates = Sites.Select(s => Request(Update(1, s))).ToList();
        // A request replayed into a later block (same id) and one with a lower id never run again.
        var replayed = updates[0];
        var stale = new ClientRequest(updates[1].ClientId, updates[1].RequestId - 1_000, updates[1].Payload);
        CertifiedBlock Block(long height, IReadOnlyList<ClientRequest> requests) => new(
            new Block(height, Swarm.Consensus.Encoding.Digest.Zero, 0, 0, height, requests),
            new CommitCertificate(height, 0, Swarm.Consensus.Encoding.Digest.Zero, []));

        var chain = TaskChain.Replay(NewChain().Terms, _verifier,
            [Block(1, [updates[0], updates[1]]), Block(2, [replayed, stale, updates[2], updates[2]])]);

        Assert.Null(chain.CurrentClosed);
        Assert.True(chain.HasPublished("c"));
        Assert.False(chain.HasPublished("d"));
        Assert.Equal(updates[0].RequestId, chain.LastRequestOf("a"));
        Assert.Equal(-1, chain.LastRequestOf("d"));
        var closed = Assert.Single(chain.Apply(3, [updates[3]]).OfType<RoundClosed>());
        Assert.Equal(["a", "b", "c", "d"], closed.Included.Select(u => u.Site));
    }

    [Fact]
    public void Votes_to_finalize_is_two_f_plus_one_and_never_below_a_majority()
    {
        TaskChainTerms Terms(int n) => new("c", [.. Enumerable.Range(0, n).Select(i => $"s{i}")], [], 1, n, (n - 1) / 3);
        Assert.Equal(1, Terms(1).VotesToFinalize);
        Assert.Equal(2, Terms(2).VotesToFinalize);
        Assert.Equal(2, Terms(3).VotesToFinalize);
        Assert.Equal(3, Terms(4).VotesToFinalize);
        Assert.Equal(5, Terms(7).VotesToFinalize);
        Assert.Equal(11, Terms(16).VotesToFinalize);
    }

    public void Dispose()
    {
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
    }
}
