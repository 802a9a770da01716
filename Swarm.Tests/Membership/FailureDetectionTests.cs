using Swarm.Actors.Membership;

namespace Swarm.Tests.Membership;

public sealed class FailureDetectionTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(21)]
    public void A_crashed_member_is_marked_unreachable_then_down_by_every_other_member(int seed)
    {
        var cluster = new SimulatedCluster(5, seed);
        cluster.RunUntil("all up", () => cluster.AllUpAndConverged(5), Limit);
        var crashedAt = cluster.Now;

        cluster.Crash("node-2");
        cluster.RunUntil("unreachable", () => cluster.Running.Any(n => n.View.Get("node-2")!.Status == MemberStatus.Unreachable), Limit);
        var unreachableAt = cluster.Now;
        cluster.RunUntil("down", () => cluster.AllSee("node-2", MemberStatus.Down), Limit);

        // Detection takes at least the acceptable pause, and the down rule waits down-after from the first
        // suspicion: neither can fire early.
        Assert.True(unreachableAt - crashedAt > SimulatedCluster.Options.FailureDetector.AcceptableHeartbeatPause, cluster.Transcript);
        Assert.True(cluster.Now - unreachableAt >= SimulatedCluster.Options.DownAfter, cluster.Transcript);
        Assert.All(cluster.Running, n => Assert.Equal(4, n.View.CountIn(MemberStatus.Up)));
        Assert.Contains("node-2@1:Up -> node-2@1:Unreachable", cluster.Transcript);
        Assert.Contains("node-2@1:Unreachable -> node-2@1:Down", cluster.Transcript);
    }

    [Fact]
    public void Live_members_on_a_lossless_network_are_never_suspected()
    {
        var cluster = new SimulatedCluster(5, seed: 5);
        cluster.RunUntil("all up", () => cluster.AllUpAndConverged(5), TimeSpan.FromSeconds(10));

        for (var round = 0; round < 300; round++)
        {
            cluster.Step();
        }

        Assert.DoesNotContain("Unreachable", cluster.Transcript);
        Assert.True(cluster.AllUpAndConverged(5), cluster.StatusLines());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(9)]
    public void A_restarted_member_rejoins_with_a_higher_incarnation(int seed)
    {
        var cluster = new SimulatedCluster(4, seed);
        cluster.RunUntil("all up", () => cluster.AllUpAndConverged(4), Limit);
        cluster.Crash("node-1");
        cluster.RunUntil("down", () => cluster.AllSee("node-1", MemberStatus.Down), Limit);

        cluster.Start("node-1", incarnation: 2);
        cluster.RunUntil("rejoined", () => cluster.AllUpAndConverged(4), Limit);

        Assert.All(cluster.Running, n => Assert.Equal(new Member("node-1", 2, MemberStatus.Up), n.View.Get("node-1")));
    }

    [Fact]
    public void A_member_restarted_before_it_was_declared_down_takes_over_its_old_entry()
    {
        var cluster = new SimulatedCluster(4, seed: 17);
        cluster.RunUntil("all up", () => cluster.AllUpAndConverged(4), Limit);

        cluster.Crash("node-3");
        cluster.Step();
        cluster.Start("node-3", incarnation: 2);
        cluster.RunUntil("rejoined", () => cluster.AllUpAndConverged(4), Limit);

        Assert.All(cluster.Running, n => Assert.Equal(2, n.View.Get("node-3")!.Incarnation));
    }

    [Fact]
    public void A_leaving_member_is_removed_without_being_declared_down()
    {
        var cluster = new SimulatedCluster(4, seed: 7);
        cluster.RunUntil("all up", () => cluster.AllUpAndConverged(4), Limit);

        cluster.Leave("node-0");
        Assert.True(cluster.AllSee("node-0", MemberStatus.Leaving), cluster.StatusLines());
        cluster.Crash("node-0");
        cluster.RunUntil("removed", () => cluster.AllSee("node-0", MemberStatus.Removed), Limit);

        Assert.DoesNotContain("node-0@1:Down", cluster.Transcript);
        Assert.DoesNotContain("node-0@1:Unreachable", cluster.Transcript);
    }

    [Fact]
    public void A_member_cut_off_from_one_peer_refutes_the_suspicion_and_stays_up_elsewhere()
    {
        var cluster = new SimulatedCluster(4, seed: 23);
        cluster.RunUntil("all up", () => cluster.AllUpAndConverged(4), Limit);

        cluster.Drops = (from, to) => (from, to) is ("node-0", "node-3") or ("node-3", "node-0");
        cluster.RunUntil("suspected", () => cluster.Transcript.Contains("node-3@1:Unreachable"), Limit);
        cluster.RunUntil("refuted", () => cluster.Node("node-3").Self.Incarnation > 1, Limit);

        // The refutation travels through node-1 and node-2, who hear node-3 directly.
        Assert.Contains("node-3@2:Up", cluster.Transcript);
    }
}
