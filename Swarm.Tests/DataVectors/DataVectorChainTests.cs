using Swarm.Learning.DataVectors;
using Swarm.Learning.Updates;
using Swarm.Tasks.DataVectors;

namespace Swarm.Tests.DataVectors;

public sealed class DataVectorChainTests
{
    private const int Length = 2000;
    private static readonly float[] Pre = DataVectorTaskHarness.Model(Length, 1);

    private static float[] Tuned(int seed) => DataVectorTaskHarness.Model(Length, 100 + seed);

    [Fact]
    public void Every_site_adopts_the_same_merged_model_whatever_order_the_requests_reach_the_chain()
    {
        var finalHashes = new HashSet<string>();
        for (var seed = 1; seed <= 25; seed++)
        {
            var harness = new DataVectorTaskHarness(DataVectorTaskHarness.Terms(Pre, 4), Pre, seed);
            for (var j = 1; j <= 4; j++)
            {
                harness.Step($"site-{j}", new FineTuned(Tuned(j), 100 * j));
            }
            harness.Run();

            var last = harness.Chain.Committed[^1];
            Assert.True(last.Included.Count == 4, $"seed {seed}: the last merge holds {last.Included.Count} vectors");
            Assert.All(harness.Sites.Values, s => Assert.Equal((last.Merge, last.MergedHash), s.Adopted));
            // Each committed merge: every site computed the same hash.
            foreach (var group in harness.Computed.GroupBy(c => c.Computed.Merge))
            {
                Assert.Single(group.Select(c => c.Computed.MergedHash).Distinct());
            }
            finalHashes.Add(last.MergedHash);
        }
        // Whatever the order of arrival, the final merge over the same four vectors is the same model …
        Assert.Single(finalHashes);
        // … and it is the library's merge of those vectors.
        var pool = new DataVectorPool(Pre);
        for (var j = 1; j <= 4; j++)
        {
            pool.Publish(DataVector.From($"site-{j}", Pre, Tuned(j), 100 * j, 1));
        }
        Assert.Equal(ModelDigest.Hex(DataVectorMerge.Merge(Pre, pool, MergeRule.SampleWeighted)), finalHashes.Single());
    }

    [Fact]
    public void A_vector_for_another_pre_trained_model_is_refused_by_the_chain_with_the_reason()
    {
        var chain = new DataVectorChain(DataVectorTaskHarness.Terms(Pre, 4));
        var other = DataVectorTaskHarness.Model(Length, 2);
        var vector = DataVector.From("site-1", other, Tuned(1), 10, 1);
        var events = chain.Apply(new VectorPublished("site-1", vector.Hash, vector.BaseHash, 10, 1), 1);
        var rejected = Assert.IsType<DataVectorRejected>(Assert.Single(events));
        Assert.Contains("the task pins", rejected.Reason, StringComparison.Ordinal);
        Assert.Empty(chain.Counting);
        Assert.Null(chain.Open);
    }

    [Fact]
    public void A_vector_of_the_wrong_shape_is_left_out_by_every_honest_site_alike()
    {
        for (var seed = 1; seed <= 10; seed++)
        {
            var harness = new DataVectorTaskHarness(DataVectorTaskHarness.Terms(Pre, 4, vectorsPerMerge: 4), Pre, seed);
            for (var j = 1; j <= 3; j++)
            {
                harness.Step($"site-{j}", new FineTuned(Tuned(j), 50));
            }
            // site-4 lies: its blob is one value short, under the hash of exactly those bytes.
            var hash = harness.OfferRaw(new float[Length - 1]);
            harness.Submit(new VectorPublished("site-4", hash, ModelDigest.Hex(Pre), 50, 1));
            harness.Run();

            var merge = Assert.Single(harness.Chain.Committed);
            Assert.Equal(4, merge.Included.Count);
            Assert.All(harness.Computed, c => Assert.Equal(["site-4"], c.Computed.Excluded));
            Assert.Single(harness.Computed.Select(c => c.Computed.MergedHash).Distinct());
            var pool = new DataVectorPool(Pre);
            for (var j = 1; j <= 3; j++)
            {
                pool.Publish(DataVector.From($"site-{j}", Pre, Tuned(j), 50, 1));
            }
            Assert.Equal(ModelDigest.Hex(DataVectorMerge.Merge(Pre, pool, MergeRule.SampleWeighted)), merge.MergedHash);
        }
    }

    [Fact]
    public void Publishing_again_replaces_the_sites_earlier_vector_in_the_next_merge()
    {
        var harness = new DataVectorTaskHarness(DataVectorTaskHarness.Terms(Pre, 4, MergeRule.Sum, vectorsPerMerge: 2), Pre, 3);
        harness.Step("site-1", new FineTuned(Tuned(1), 10));
        harness.Step("site-2", new FineTuned(Tuned(2), 10));
        harness.Run();
        harness.Step("site-1", new FineTuned(Tuned(7), 20));
        harness.Step("site-3", new FineTuned(Tuned(3), 10));
        harness.Run();

        Assert.Equal(2, harness.Chain.Committed.Count);
        var second = harness.Chain.Committed[1];
        Assert.Equal(["site-1", "site-2", "site-3"], second.Included.Select(v => v.Site));
        Assert.Equal((2L, 20L), (second.Included[0].Sequence, second.Included[0].SampleCount));
        Assert.Contains(harness.Events, e => e is VectorAccepted { Replaced: true, Vector.Site: "site-1" });

        var pool = new DataVectorPool(Pre);
        pool.Publish(DataVector.From("site-1", Pre, Tuned(7), 20, 2));
        pool.Publish(DataVector.From("site-2", Pre, Tuned(2), 10, 1));
        pool.Publish(DataVector.From("site-3", Pre, Tuned(3), 10, 1));
        Assert.Equal(ModelDigest.Hex(DataVectorMerge.Merge(Pre, pool, MergeRule.Sum)), second.MergedHash);
    }

    [Fact]
    public void A_site_that_joins_after_the_first_merge_is_in_the_next_and_adopts_the_same_model()
    {
        var harness = new DataVectorTaskHarness(DataVectorTaskHarness.Terms(Pre, 4, vectorsPerMerge: 3), Pre, 5);
        for (var j = 1; j <= 3; j++)
        {
            harness.Step($"site-{j}", new FineTuned(Tuned(j), 30));
        }
        harness.Run();
        var first = Assert.Single(harness.Chain.Committed);
        Assert.DoesNotContain(first.Included, v => v.Site == "site-4");
        // site-4 voted on merge 1 too (it can compute from the blobs) though it had published nothing.
        Assert.Equal((1, first.MergedHash), harness.Sites["site-4"].Adopted);

        harness.Step("site-4", new FineTuned(Tuned(4), 90));
        harness.Run();
        Assert.Single(harness.Chain.Committed);
        Assert.NotNull(harness.Chain.Counting.SingleOrDefault(v => v.Site == "site-4"));
        // With three vectors per merge, one arrival does not open merge 2; two more do.
        harness.Step("site-1", new FineTuned(Tuned(11), 30));
        harness.Step("site-2", new FineTuned(Tuned(12), 30));
        harness.Run();
        var second = harness.Chain.Committed[1];
        Assert.Contains(second.Included, v => v.Site == "site-4");
        Assert.All(harness.Sites.Values, s => Assert.Equal((2, second.MergedHash), s.Adopted));
    }

    [Fact]
    public void A_lying_vote_is_outvoted_and_votes_for_a_merge_that_is_not_open_are_rejected()
    {
        var chain = new DataVectorChain(DataVectorTaskHarness.Terms(Pre, 4, vectorsPerMerge: 1));
        var base_ = ModelDigest.Hex(Pre);
        var opened = chain.Apply(new VectorPublished("site-1", new string('a', 64), base_, 10, 1), 1).OfType<MergeOpened>().Single();
        string good = new('1', 64), bad = new('2', 64);
        Assert.Empty(chain.Apply(new MergeVote("site-3", 1, opened.VectorSetDigest, bad), 2));
        Assert.Empty(chain.Apply(new MergeVote("site-1", 1, opened.VectorSetDigest, good), 3));
        Assert.Contains("already voted", Assert.IsType<DataVectorRejected>(
            Assert.Single(chain.Apply(new MergeVote("site-1", 1, opened.VectorSetDigest, good), 4))).Reason, StringComparison.Ordinal);
        Assert.Contains("another vector set", Assert.IsType<DataVectorRejected>(
            Assert.Single(chain.Apply(new MergeVote("site-2", 1, "digest", good), 5))).Reason, StringComparison.Ordinal);
        Assert.Empty(chain.Apply(new MergeVote("site-2", 1, opened.VectorSetDigest, good), 6));
        var committed = Assert.IsType<MergeCommitted>(Assert.Single(chain.Apply(new MergeVote("site-4", 1, opened.VectorSetDigest, good), 7)));
        Assert.Equal((good, 3), (committed.MergedHash, committed.Agreeing.Count));
        Assert.DoesNotContain("site-3", committed.Agreeing);

        var late = chain.Apply(new MergeVote("site-3", 1, opened.VectorSetDigest, good), 8);
        Assert.Contains("merge 1 is not open", Assert.IsType<DataVectorRejected>(Assert.Single(late)).Reason, StringComparison.Ordinal);
        var stranger = chain.Apply(new MergeVote("site-9", 2, "x", "y"), 9);
        Assert.Contains("not a participant", Assert.IsType<DataVectorRejected>(Assert.Single(stranger)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_few_sites_for_f_are_refused_in_the_terms_and_the_validated_rule_is_accepted()
    {
        Assert.Null(DataVectorTaskHarness.Terms(Pre, 4, MergeRule.Validated).Problem());
        Assert.Contains("n ≥ 3f + 1", (DataVectorTaskHarness.Terms(Pre, 4) with { F = 1, Sites = ["a", "b", "c"] }).Problem(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Under_the_validated_rule_every_site_merges_with_the_lower_median_of_the_first_quorum_of_proposals()
    {
        // Each site's validation split prefers another λ: site-1 0.25, site-2 0.5, site-3 0.75, and site-4 an
        // extreme 1.5. The grid for 4 sites is k/8, k = 1 … 12.
        var preferred = new Dictionary<string, double> { ["site-1"] = 0.25, ["site-2"] = 0.5, ["site-3"] = 0.75, ["site-4"] = 1.5 };
        var pool = new DataVectorPool(Pre);
        for (var j = 1; j <= 4; j++)
        {
            pool.Publish(DataVector.From($"site-{j}", Pre, Tuned(j), 10 * j, 1));
        }
        var targets = preferred.ToDictionary(p => p.Key, p => DataVectorMerge.Merge(Pre, pool, MergeRule.Validated, p.Value));
        var lambdas = new HashSet<double>();
        for (var seed = 1; seed <= 12; seed++)
        {
            var harness = new DataVectorTaskHarness(DataVectorTaskHarness.Terms(Pre, 4, MergeRule.Validated, vectorsPerMerge: 4), Pre, seed)
            {
                Loss = (site, candidate) => candidate.Zip(targets[site], (c, t) => (double)(c - t) * (c - t)).Sum(),
            };
            for (var j = 1; j <= 4; j++)
            {
                harness.Step($"site-{j}", new FineTuned(Tuned(j), 10 * j));
            }
            harness.Run();

            var agreed = harness.Events.OfType<LambdaAgreed>().Single();
            var merge = Assert.Single(harness.Chain.Committed);
            Assert.Equal(3, agreed.Proposers.Count);
            Assert.Equal(LambdaAgreement.Agree(agreed.Proposers.Select(p => preferred[p])), agreed.Lambda);
            Assert.True(agreed.Lambda <= 0.75, $"seed {seed}: the extreme proposal moved λ to {agreed.Lambda}");
            Assert.Equal(agreed.Lambda, merge.Lambda);
            Assert.Equal(ModelDigest.Hex(DataVectorMerge.Merge(Pre, pool, MergeRule.Validated, agreed.Lambda)), merge.MergedHash);
            Assert.All(harness.Sites.Values, s => Assert.Equal((1, merge.MergedHash), s.Adopted));
            lambdas.Add(agreed.Lambda);
        }
        // Which three proposals come first depends on the order of arrival, so λ does too, always an honest one.
        Assert.True(lambdas.Count >= 2, $"every seed agreed λ = {string.Join(", ", lambdas)}");
    }

    [Fact]
    public void Lambda_proposals_outside_the_grid_repeated_or_under_another_rule_and_votes_before_agreement_are_rejected()
    {
        var chain = new DataVectorChain(DataVectorTaskHarness.Terms(Pre, 4, MergeRule.Validated));
        var base_ = ModelDigest.Hex(Pre);
        var opened = chain.Apply(new VectorPublished("site-1", new string('a', 64), base_, 10, 1), 1).OfType<MergeOpened>().Single();
        string Reason(DataVectorRequest r) => Assert.IsType<DataVectorRejected>(Assert.Single(chain.Apply(r, 2))).Reason;

        Assert.Contains("before its λ was agreed", Reason(new MergeVote("site-1", 1, opened.VectorSetDigest, new string('1', 64))), StringComparison.Ordinal);
        Assert.Contains("steps 1 … 12", Reason(new LambdaProposed("site-1", 1, 13)), StringComparison.Ordinal);
        Assert.Contains("steps 1 … 12", Reason(new LambdaProposed("site-1", 1, 0)), StringComparison.Ordinal);
        Assert.Contains("merge 2 is not open", Reason(new LambdaProposed("site-1", 2, 1)), StringComparison.Ordinal);
        Assert.Empty(chain.Apply(new LambdaProposed("site-1", 1, 4), 3));
        Assert.Contains("already proposed", Reason(new LambdaProposed("site-1", 1, 5)), StringComparison.Ordinal);
        Assert.Empty(chain.Apply(new LambdaProposed("site-2", 1, 12), 4));
        var agreed = Assert.IsType<LambdaAgreed>(Assert.Single(chain.Apply(new LambdaProposed("site-3", 1, 2), 5)));
        Assert.Equal((4, 0.5), (agreed.Step, agreed.Lambda));
        Assert.Contains("already agreed", Reason(new LambdaProposed("site-4", 1, 1)), StringComparison.Ordinal);

        var sum = new DataVectorChain(DataVectorTaskHarness.Terms(Pre, 4, MergeRule.Sum));
        sum.Apply(new VectorPublished("site-1", new string('a', 64), base_, 10, 1), 1);
        Assert.Contains("has no λ to propose", Assert.IsType<DataVectorRejected>(
            Assert.Single(sum.Apply(new LambdaProposed("site-1", 1, 1), 2))).Reason, StringComparison.Ordinal);
    }
}
