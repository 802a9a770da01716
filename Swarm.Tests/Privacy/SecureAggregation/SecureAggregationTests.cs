using Swarm.Learning.Privacy.SecureAggregation;
using static Swarm.Tests.Privacy.Uniformity;

namespace Swarm.Tests.Privacy.SecureAggregation;

public sealed class SecureAggregationTests
{
    [Fact]
    public void The_unmasked_sum_equals_the_plain_fixed_point_sum_exactly()
    {
        var run = new SecAggRun(SecAggRun.Session(5, 3, 1000), seed: 1);

        var outcome = Assert.IsType<AggregateSum>(run.Run());

        Assert.Equal(run.PlainSum(Enumerable.Range(0, 5)), outcome.Sum);
        Assert.Equal([0, 1, 2, 3, 4], outcome.Contributors);
        Assert.Empty(run.Rejections);
    }

    [Theory]
    [InlineData(4, 3, new[] { 2 })]
    [InlineData(7, 4, new[] { 1, 5 })]
    public void Sites_dropping_after_dealing_shares_without_a_masked_input_are_unmasked_out_of_the_sum(int n, int t, int[] dropped)
    {
        var run = new SecAggRun(SecAggRun.Session(n, t, 500), seed: 2);
        run.SilentFromMasked.UnionWith(dropped);

        var outcome = Assert.IsType<AggregateSum>(run.Run());

        var survivors = Enumerable.Range(0, n).Except(dropped).ToArray();
        Assert.Equal(run.PlainSum(survivors), outcome.Sum);
        Assert.Equal(survivors, outcome.Contributors);
    }

    [Theory]
    [InlineData(4, 3, new[] { 0 })]
    [InlineData(7, 4, new[] { 3, 6 })]
    public void Sites_dropping_after_their_masked_input_still_count_and_the_others_unmask_them(int n, int t, int[] dropped)
    {
        var run = new SecAggRun(SecAggRun.Session(n, t, 500), seed: 3);
        run.SilentFromUnmask.UnionWith(dropped);

        var outcome = Assert.IsType<AggregateSum>(run.Run());

        Assert.Equal(run.PlainSum(Enumerable.Range(0, n)), outcome.Sum);
    }

    [Fact]
    public void A_site_dropping_before_dealing_shares_is_simply_excluded()
    {
        var run = new SecAggRun(SecAggRun.Session(5, 3, 300), seed: 4);
        run.SilentFromShares.Add(1);

        var outcome = Assert.IsType<AggregateSum>(run.Run());

        Assert.Equal(run.PlainSum([0, 2, 3, 4]), outcome.Sum);
        Assert.Equal([0, 2, 3, 4], outcome.Contributors);
    }

    [Fact]
    public void The_sparse_secagg_plus_graph_recovers_the_sum_with_dropouts()
    {
        var parameters = SecAggRun.Session(12, 4, 200, degree: 6);
        var graph = new NeighbourGraph(parameters);
        Assert.All(Enumerable.Range(0, 12), site => Assert.Equal(6, graph.Neighbours(site).Count));
        var run = new SecAggRun(parameters, seed: 5);
        run.SilentFromMasked.Add(7);
        run.SilentFromUnmask.Add(2);

        var outcome = Assert.IsType<AggregateSum>(run.Run());

        Assert.Equal(run.PlainSum(Enumerable.Range(0, 12).Where(site => site != 7)), outcome.Sum);
    }

    [Fact]
    public void Fewer_survivors_than_the_threshold_give_no_sum()
    {
        var run = new SecAggRun(SecAggRun.Session(5, 4, 50), seed: 6);
        run.SilentFromMasked.UnionWith([0, 1]);

        var outcome = Assert.IsType<AggregationFailed>(run.Run());

        Assert.Contains("fewer than the threshold", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_aggregator_asking_for_both_the_self_mask_and_the_pairwise_masks_of_one_site_is_refused()
    {
        var run = new SecAggRun(SecAggRun.Session(5, 3, 50), seed: 7);
        // Site 4 sent its masked input; the forged request also calls it dropped, to rebuild its mask key too.
        var outcome = run.Run(request => request with { Dropped = [4] });

        // No share leaves an honest site, so neither mask of site 4 can be rebuilt.
        Assert.IsType<AggregationFailed>(outcome);
        Assert.Equal(5, run.Rejections.Count(r => r.Reason.Contains("both the self-mask and the pairwise masks of site 4", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_second_different_unmask_request_is_refused_by_a_site_that_answered_one()
    {
        var run = new SecAggRun(SecAggRun.Session(4, 3, 50), seed: 8);
        Assert.IsType<AggregateSum>(run.Run());
        var participant = run.Participants[0];
        // First answered: all four survive (self-mask shares). Now: "site 3 dropped", to get its mask-key share.
        var second = new UnmaskRequest(1, [0, 1, 2], [3]);

        var outputs = participant.Step(new UnmaskRequested(second));

        var rejection = Assert.IsType<Rejection>(Assert.Single(outputs));
        Assert.Contains("second, different unmask request", rejection.Reason, StringComparison.Ordinal);
        Assert.Equal(1, rejection.Culprit);
    }

    [Fact]
    public void A_masked_input_passes_a_chi_square_test_on_its_bytes_and_does_not_correlate_with_the_input()
    {
        var run = new SecAggRun(SecAggRun.Session(5, 3, 1 << 15), seed: 9);
        // A constant, highly structured input: any leak would show in the byte histogram.
        Array.Fill(run.Updates[2], 1.0f);
        for (var i = 0; i < run.Updates[3].Length; i++)
        {
            run.Updates[3][i] = i % 2 == 0 ? 3.5f : -3.5f;
        }
        run.Run();

        foreach (var site in new[] { 2, 3 })
        {
            var masked = run.Masked.Single(m => m.Sender == site).Masked;
            Assert.True(ChiSquareOfBytes(masked) < ChiSquare255Critical, $"site {site}: χ² = {ChiSquareOfBytes(masked)}");
            var correlation = Correlation(run.Updates[3].Select(v => (double)v).ToArray(), masked.Select(w => (double)(long)w).ToArray());
            Assert.True(Math.Abs(correlation) < 0.03, $"site {site}: correlation {correlation}");
        }
    }

    [Fact]
    public void Malformed_messages_become_rejections_never_exceptions()
    {
        var run = new SecAggRun(SecAggRun.Session(5, 3, 40), seed: 10)
        {
            Tamper = message => message switch
            {
                AdvertiseKeys keys when keys.Sender == 1 => keys with { MaskPublicKey = new byte[31] },
                ShareKeys shares when shares.Sender == 2 => shares with { Shares = shares.Shares.Take(2).ToList() },
                _ => message,
            },
        };

        var outcome = Assert.IsType<AggregateSum>(run.Run());

        Assert.Contains(run.Rejections, r => r.Culprit == 1);
        Assert.Contains(run.Rejections, r => r.Culprit == 2);
        Assert.Equal(run.PlainSum([0, 3, 4]), outcome.Sum);
    }

    [Fact]
    public void Shamir_shares_rebuild_the_secret_from_any_t_and_not_from_inconsistent_ones()
    {
        var secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var randomness = new byte[ShamirSharing.CoefficientBytes(3)];
        new Random(11).NextBytes(randomness);
        var shares = ShamirSharing.Split(secret, [0, 1, 2, 3, 4], 3, randomness);

        Assert.Equal(secret, ShamirSharing.Reconstruct([(4, shares[4]), (0, shares[0]), (2, shares[2])]));
        Assert.Equal(secret, ShamirSharing.Reconstruct([(1, shares[1]), (3, shares[3]), (2, shares[2])]));
        var corrupted = (byte[])shares[1].Clone();
        corrupted[0] ^= 1;
        Assert.NotEqual(secret, ShamirSharing.Reconstruct([(1, corrupted), (3, shares[3]), (2, shares[2])]));
        Assert.Null(ShamirSharing.Reconstruct([(1, new byte[5]), (3, shares[3])]));
    }

    [Fact]
    public void The_fixed_point_codec_refuses_values_beyond_its_headroom_and_documents_the_site_limit()
    {
        var codec = FixedPointCodec.Default;
        var encoded = new ulong[3];

        Assert.False(codec.TryEncode([0f, float.NaN, 1f], encoded, out var nan));
        Assert.Equal(1, nan);
        Assert.False(codec.TryEncode([2e6f, 0f, 0f], encoded, out var large));
        Assert.Equal(0, large);
        Assert.True(codec.TryEncode([-1.5f, 0.25f, 1e6f], encoded, out _));
        Assert.Equal([-1.5, 0.25, 1e6], codec.Decode(encoded));
        Assert.Equal(1L << 19, codec.SitesMax);
    }
}
