using Swarm.Actors.Membership;

namespace Swarm.Tests.Membership;

public sealed class MembershipConvergenceTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Seven_members_converge_on_the_same_all_up_view(int seed)
    {
        var cluster = new SimulatedCluster(7, seed);

        cluster.RunUntil("all up", () => cluster.AllUpAndConverged(7), Limit);

        Assert.All(cluster.Running, n => Assert.Equal(7, n.View.CountIn(MemberStatus.Up)));
    }

    [Fact]
    public void A_member_alone_is_up_after_its_first_round()
    {
        var state = new MembershipState("solo", 1, [], SimulatedCluster.Options, new Random(1));

        var outputs = state.Tick(TimeSpan.FromMilliseconds(100));

        Assert.Equal(MemberStatus.Up, state.Self.Status);
        Assert.Contains(new MemberChanged(new Member("solo", 1, MemberStatus.Joining), new Member("solo", 1, MemberStatus.Up)), outputs);
        Assert.DoesNotContain(outputs, o => o is SendGossip or SendHeartbeat);
    }

    [Fact]
    public void A_joiner_stays_joining_until_a_peer_acknowledges_it()
    {
        var cluster = new SimulatedCluster(3, seed: 11);
        cluster.Drops = (from, to) => from == "node-0" || to == "node-0";

        cluster.RunUntil("others up", () => cluster.Node("node-1").View.Get("node-2")?.Status == MemberStatus.Up, Limit);

        Assert.Equal(MemberStatus.Joining, cluster.Node("node-0").Self.Status);
        Assert.Null(cluster.Node("node-1").View.Get("node-0"));
    }

    [Fact]
    public void The_same_seed_replays_the_same_transcript()
    {
        static string Run(int seed)
        {
            var cluster = new SimulatedCluster(5, seed);
            cluster.RunUntil("all up", () => cluster.AllUpAndConverged(5), Limit);
            cluster.Crash("node-3");
            cluster.RunUntil("down", () => cluster.AllSee("node-3", MemberStatus.Down), Limit);
            return cluster.Transcript;
        }

        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }
}
