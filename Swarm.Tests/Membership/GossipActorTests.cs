using Akka.Actor;
using Swarm.Actors.Gossip;
using Swarm.Actors.Membership;
using Swarm.Tests.Platform;

namespace Swarm.Tests.Membership;

/// <summary>The gossip actor on Akka.NET: three nodes' systems, each on Akka.TestKit's test scheduler advanced in
/// step, joined by an in-memory network. Time moves only in <c>StepUntilAsync</c>; asking every actor for its view after each step is the barrier
/// that lets the round's messages be processed before the clock moves again.</summary>
public sealed class GossipActorTests : IAsyncLifetime
{
    private const int StepsMax = 200;
    private static readonly string[] Ids = ["node-a", "node-b", "node-c"];
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
    private readonly InMemoryNetwork _network = new();
    private readonly Dictionary<string, ActorSystem> _systems = [];
    private readonly Dictionary<string, IActorRef> _gossip = [];

    public Task InitializeAsync()
    {
        foreach (var (id, index) in Ids.Select((id, i) => (id, i)))
        {
            var system = VirtualTimeSystems.Create(id);
            _network.Join(system);
            _systems[id] = system;
            var options = new GossipActorOptions(Incarnation: 1, Ids, SimulatedCluster.Options, SimulatedCluster.Round, RandomSeed: index);
            _gossip[id] = system.ActorOf(GossipActor.Props(options), GossipActorOptions.ActorName);
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var system in _systems.Values)
        {
            await system.Terminate().WaitAsync(AskTimeout);
        }
    }

    [Fact]
    public async Task Gossip_actors_converge_then_mark_a_stopped_node_unreachable_then_down()
    {
        var events = new Akka.TestKit.Xunit2.TestKit(_systems["node-a"]).CreateTestProbe("events");
        _systems["node-a"].EventStream.Subscribe(events.Ref, typeof(MemberChanged));
        await StepUntilAsync("all up", ["node-a", "node-b", "node-c"], s => s.View.CountIn(MemberStatus.Up) == 3);

        _network.Cut("node-c");
        await _systems["node-c"].Terminate().WaitAsync(AskTimeout);
        _systems.Remove("node-c");
        await StepUntilAsync("down", ["node-a", "node-b"], s => s.View.Get("node-c")!.Status == MemberStatus.Down);

        await events.FishForMessageAsync<MemberChanged>(c => c.Current == new Member("node-c", 1, MemberStatus.Unreachable), hint: "unreachable event");
        await events.FishForMessageAsync<MemberChanged>(c => c.Current == new Member("node-c", 1, MemberStatus.Down), hint: "down event");
        var snapshot = await _gossip["node-a"].Ask<MembershipSnapshot>(GetMembership.Instance, AskTimeout);
        Assert.True(snapshot.Counters.HeartbeatsReceived > 0 && snapshot.Counters.GossipReceived > 0, snapshot.Counters.ToString());
    }

    [Fact]
    public async Task A_leaving_node_confirms_and_the_others_remove_it_once_it_is_gone()
    {
        await StepUntilAsync("all up", ["node-a", "node-b", "node-c"], s => s.View.CountIn(MemberStatus.Up) == 3);

        var left = await _gossip["node-b"].Ask<LeftCluster>(LeaveCluster.Instance, AskTimeout);
        Assert.Equal(MemberStatus.Leaving, left.Self.Status);
        await StepUntilAsync("leaving seen", ["node-a", "node-c"], s => s.View.Get("node-b")!.Status == MemberStatus.Leaving);
        _network.Cut("node-b");
        await StepUntilAsync("removed", ["node-a", "node-c"], s => s.View.Get("node-b")!.Status == MemberStatus.Removed);
    }

    /// <summary>Advances the fake clock one gossip round at a time until every named node's snapshot satisfies
    /// <paramref name="done"/>; fails naming the phase and each view after <see cref="StepsMax"/> rounds.</summary>
    private async Task StepUntilAsync(string phase, string[] nodes, Func<MembershipSnapshot, bool> done)
    {
        for (var step = 0; step < StepsMax; step++)
        {
            var snapshots = await SnapshotsAsync(nodes);
            // A second pass lets the answers to this round's gossip (push-pull) be processed too.
            snapshots = await SnapshotsAsync(nodes);
            if (snapshots.All(done))
            {
                return;
            }
            foreach (var system in _systems.Values)
            {
                VirtualTimeSystems.Scheduler(system).Advance(SimulatedCluster.Round);
            }
        }
        var views = await SnapshotsAsync(nodes);
        Assert.Fail($"phase '{phase}' not reached in {StepsMax} rounds: {string.Join(" | ", views.Select(v => $"{v.Self.NodeId}: {v.View}"))}");
    }

    private async Task<MembershipSnapshot[]> SnapshotsAsync(string[] nodes)
    {
        var snapshots = new MembershipSnapshot[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            snapshots[i] = await _gossip[nodes[i]].Ask<MembershipSnapshot>(GetMembership.Instance, AskTimeout);
        }
        return snapshots;
    }
}
