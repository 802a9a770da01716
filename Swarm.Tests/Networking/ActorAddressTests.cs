using Swarm.Node.Networking;

namespace Swarm.Tests.Networking;

public sealed class ActorAddressTests
{
    [Fact]
    public void A_swarm_address_splits_into_node_and_actor_path_and_prints_back()
    {
        Assert.True(ActorAddress.TryParse("swarm://clinic-a/user/consensus/task-7", out var address, out _));
        Assert.Equal(new ActorAddress("clinic-a", "/user/consensus/task-7"), address);
        Assert.Equal("swarm://clinic-a/user/consensus/task-7", address.ToString());
    }

    [Theory]
    [InlineData("akka://a/user/x", "does not start with swarm://")]
    [InlineData("swarm://A/user/x", "node id 'A' must be lowercase")]
    [InlineData("swarm://a", "has no actor path")]
    [InlineData("swarm://a/user//x", "empty segment")]
    [InlineData("swarm://a/user/x y", "whitespace")]
    public void A_bad_address_is_refused_with_the_reason(string text, string expected)
    {
        Assert.False(ActorAddress.TryParse(text, out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
