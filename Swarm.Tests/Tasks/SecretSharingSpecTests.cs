using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>What the validator, the codec and the genesis make of <c>task.privacy.secret-sharing</c>: accepted where
/// it protects, refused with the reason where it cannot, and invisible in the digest of a spec without it.</summary>
public sealed class SecretSharingSpecTests
{
    private static TaskSpec Spec(int sites, Func<TaskSpec, TaskSpec>? change = null)
    {
        var participants = Enumerable.Range(0, sites).Select(i => $"s{i}").ToArray();
        var spec = new TaskSpec
        {
            Id = "shared",
            Model = "smallcnn",
            Participants = participants,
            Datasets = participants.ToDictionary(p => p, _ => "pneumoniamnist"),
            Privacy = new PrivacySpec(SecretSharing: true),
        };
        return change is null ? spec : change(spec);
    }

    [Fact]
    public void A_fedavg_task_of_four_sites_with_secret_sharing_is_valid_and_its_chain_needs_all_four()
    {
        Assert.Empty(TaskSpecValidator.Problems(Spec(4)));
        var (_, terms) = TaskGenesis.Create(Spec(4), TaskSpecCodec.Encode(Spec(4)), [.. Enumerable.Range(0, 4).Select(_ => new byte[32])]);
        Assert.True(terms.SecretSharing);
        Assert.Null(terms.SecureAggregation);
        Assert.Equal(4, terms.Quorum);
    }

    [Theory]
    [InlineData("median")]
    [InlineData("krum")]
    public void A_robust_strategy_is_refused_because_it_needs_each_update_on_its_own(string strategy)
    {
        var problems = TaskSpecValidator.Problems(Spec(7, s => s with { Aggregation = s.Aggregation with { Strategy = strategy } }));
        Assert.Contains(problems, p => p.StartsWith($"task.aggregation.strategy {strategy} cannot run with task.privacy.secret-sharing", StringComparison.Ordinal));
    }

    [Fact]
    public void Partial_sharing_two_sites_a_smaller_quorum_and_secure_aggregation_beside_it_are_refused_with_the_reason()
    {
        Assert.Contains(TaskSpecValidator.Problems(Spec(4, s => s with { PartialShareFraction = 0.1 })),
            p => p.StartsWith("task.partial-share-fraction 0.1 cannot run with task.privacy.secret-sharing", StringComparison.Ordinal));
        Assert.Contains(TaskSpecValidator.Problems(Spec(2)), p => p.Contains("secret-sharing needs at least 3 participants", StringComparison.Ordinal));
        Assert.Contains(TaskSpecValidator.Problems(Spec(4, s => s with { Quorum = 3 })),
            p => p.StartsWith("task.quorum 3 cannot run with task.privacy.secret-sharing", StringComparison.Ordinal));
        Assert.Contains(TaskSpecValidator.Problems(Spec(4, s => s with { Privacy = s.Privacy with { SecureAggregation = true } })),
            p => p.StartsWith("task.privacy.secret-sharing and task.privacy.secure-aggregation cannot both be on", StringComparison.Ordinal));
    }

    [Fact]
    public void The_flag_round_trips_and_a_spec_without_it_encodes_as_before()
    {
        var shared = Spec(4);
        Assert.True(TaskSpecCodec.Decode(TaskSpecCodec.Encode(shared)).Privacy.SecretSharing);
        // The byte that was secure-aggregation's boolean: 0 and 1 as before, secret sharing sets bit 1.
        var plain = shared with { Privacy = new PrivacySpec() };
        var secure = shared with { Privacy = new PrivacySpec(SecureAggregation: true) };
        var bytes = new[] { plain, secure, shared }.Select(TaskSpecCodec.Encode).ToList();
        var at = bytes[0].Length - sizeof(int) - 1;
        Assert.Equal(new byte[] { 0, 1, 2 }, bytes.Select(b => b[at]));
        Assert.False(TaskSpecCodec.Decode(bytes[1]).Privacy.SecretSharing);
    }

    [Fact]
    public void Key_and_partial_sum_requests_round_trip()
    {
        foreach (TaskRequest request in new TaskRequest[] { new ShareKeyPublished(2, "s1", [.. Enumerable.Range(0, 32).Select(i => (byte)i)]), new PartialSumPublished(2, "s1", new string('a', 64)) })
        {
            var decoded = TaskRequest.TryDecode(request.ToPayload("task/x", _ => [1, 2, 3]), out _, out _, out var problem);
            Assert.True(decoded is not null, problem);
            Assert.Equal(request.EncodeBody(), decoded.EncodeBody());
            Assert.Equal(request.GetType(), decoded.GetType());
        }
    }
}
