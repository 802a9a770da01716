using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>What the validator says about <c>task.privacy.secure-aggregation</c> now that rounds run it: accepted
/// where it protects, refused with the reason where it cannot (a setting that would promise and not deliver).</summary>
public sealed class SecureAggregationSpecTests
{
    private static TaskSpec Spec(int sites, Func<TaskSpec, TaskSpec>? change = null)
    {
        var participants = Enumerable.Range(0, sites).Select(i => $"s{i}").ToArray();
        var spec = new TaskSpec
        {
            Id = "secure",
            Model = "smallcnn",
            Participants = participants,
            Datasets = participants.ToDictionary(p => p, _ => "pneumoniamnist"),
            Privacy = new PrivacySpec(SecureAggregation: true),
        };
        return change is null ? spec : change(spec);
    }

    [Fact]
    public void A_fedavg_task_of_four_sites_with_secure_aggregation_is_valid_and_its_chain_has_threshold_three()
    {
        Assert.Empty(TaskSpecValidator.Problems(Spec(4)));
        Assert.Empty(TaskSpecValidator.Problems(Spec(7, s => s with { Quorum = 5 })));
        var (_, terms) = TaskGenesis.Create(Spec(4), TaskSpecCodec.Encode(Spec(4)), [.. Enumerable.Range(0, 4).Select(_ => new byte[32])]);
        Assert.Equal(3, terms.SecureAggregation!.Threshold);
        Assert.Equal(5, ChainSecAggTerms.ThresholdFor(7));
    }

    [Theory]
    [InlineData("median")]
    [InlineData("trimmed-mean")]
    [InlineData("krum")]
    public void A_robust_strategy_is_refused_because_it_needs_each_update_on_its_own(string strategy)
    {
        var problems = TaskSpecValidator.Problems(Spec(7, s => s with { Aggregation = s.Aggregation with { Strategy = strategy } }));
        Assert.Contains(problems, p => p.StartsWith($"task.aggregation.strategy {strategy} cannot run with task.privacy.secure-aggregation", StringComparison.Ordinal)
            && p.Contains("reveals only their sum", StringComparison.Ordinal));
    }

    [Fact]
    public void Partial_sharing_is_refused_because_the_top_theta_set_depends_on_the_private_update()
    {
        var problems = TaskSpecValidator.Problems(Spec(4, s => s with { PartialShareFraction = 0.1 }));
        Assert.Contains(problems, p => p.StartsWith("task.partial-share-fraction 0.1 cannot run with task.privacy.secure-aggregation", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_sites_and_a_quorum_below_the_threshold_are_refused_with_the_reason()
    {
        Assert.Contains(TaskSpecValidator.Problems(Spec(2)), p => p.Contains("needs at least 3 participants", StringComparison.Ordinal));
        Assert.Contains(TaskSpecValidator.Problems(Spec(4, s => s with { Quorum = 2 })),
            p => p.StartsWith("task.quorum 2 is below secure aggregation's threshold t = 3", StringComparison.Ordinal));
    }
}

/// <summary>The secure-aggregation requests' canonical bytes decode to what was encoded, and malformed counts are
/// refused, not thrown.</summary>
public sealed class SecAggTaskRequestTests
{
    private static byte[] Sign(byte[] bytes) => [1, 2, 3];

    private static TaskRequest RoundTrip(TaskRequest request)
    {
        var decoded = TaskRequest.TryDecode(request.ToPayload("task/x", Sign), out _, out _, out var problem);
        Assert.True(decoded is not null, problem);
        Assert.Equal(request.EncodeBody(), decoded.EncodeBody());
        return decoded;
    }

    [Fact]
    public void Keys_shares_and_unmask_requests_round_trip()
    {
        var keys = (SecAggKeysPublished)RoundTrip(new SecAggKeysPublished(2, "a", [.. Enumerable.Repeat((byte)7, 32)], [.. Enumerable.Repeat((byte)9, 32)]));
        Assert.Equal(9, keys.MaskPublicKey[0]);
        var shares = (SecAggSharesPublished)RoundTrip(new SecAggSharesPublished(2, "a", new byte[32],
            [new Swarm.Learning.Privacy.SecureAggregation.EncryptedShares(1, new byte[100], new byte[32], new byte[32])]));
        Assert.Equal(1, shares.Shares.Single().Holder);
        var unmask = (SecAggUnmaskPublished)RoundTrip(new SecAggUnmaskPublished(2, "a",
            new Dictionary<int, byte[]> { [3] = [1], [0] = [2] }, new Dictionary<int, byte[]> { [1] = [5, 6] }));
        Assert.Equal([0, 3], unmask.SelfMaskShares.Keys);
        Assert.Equal([5, 6], unmask.MaskKeyShares[1]);
    }

    [Fact]
    public void A_share_list_with_a_negative_count_is_a_malformed_request()
    {
        var body = new SecAggSharesPublished(1, "a", new byte[32], []).EncodeBody();
        body.AsSpan()[^4..].Fill(0xFF);
        var payload = new Swarm.Consensus.Encoding.CanonicalWriter(body.Length + 16).WriteBytes(body).WriteBytes([1]).ToArray();
        Assert.Null(TaskRequest.TryDecode(payload, out _, out _, out var problem));
        Assert.Contains("share entries", problem, StringComparison.Ordinal);
    }
}
