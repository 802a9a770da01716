using Swarm.Actors.Membership;

namespace Swarm.Tests.Membership;

/// <summary>Seeded simulations with message loss: suspicion may come and go, but live members are never declared
/// down, the views converge once the network heals, and a real crash is still found.</summary>
public sealed class LossyNetworkTests
{
    [Theory]
    [InlineData(101)]
    [InlineData(202)]
    [InlineData(303)]
    [InlineData(404)]
    public void Under_twenty_percent_loss_no_live_member_goes_down_and_a_crash_is_still_found(int seed)
    {
        var cluster = new SimulatedCluster(6, seed);
        var loss = new Random(seed);
        cluster.Drops = (_, _) => loss.NextDouble() < 0.2;

        cluster.RunUntil("all up under loss", () => cluster.AllUpAndConverged(6), TimeSpan.FromSeconds(30));
        for (var round = 0; round < 300; round++)
        {
            cluster.Step();
        }
        cluster.Crash("node-5");
        cluster.RunUntil("crash found under loss", () => cluster.AllSee("node-5", MemberStatus.Down), TimeSpan.FromSeconds(30));
        cluster.Drops = (_, _) => false;
        cluster.RunUntil("healed", () => cluster.Running.All(n => n.View.CountIn(MemberStatus.Up) == 5 && n.View.Equals(cluster.Running.First().View)),
            TimeSpan.FromSeconds(30));

        foreach (var id in cluster.Ids.Take(5))
        {
            Assert.DoesNotMatch($@"-> {id}@\d+:Down", cluster.Transcript);
        }
    }
}
