using System.Collections.Concurrent;
using Swarm.Actors.Runtime;
using Swarm.Tests.TestKit;

namespace Swarm.Tests.Actors;

public sealed class ShutdownTests : ActorTestKit
{
    [Fact]
    public async Task Shutdown_stops_phase_by_phase_and_children_before_their_parents()
    {
        var probe = CreateProbe();
        var stops = new ConcurrentQueue<string>();
        var store = new TreeActor.Node("store", [new("store-1", [new("store-1a", [])]), new("store-2", [])]);
        var front = new TreeActor.Node("front", [new("front-1", [])]);
        Sys.ActorOf(Props.Create(() => new TreeActor(store, stops, probe.Ref)) with { ShutdownPhase = 1 }, "store");
        Sys.ActorOf(Props.Create(() => new TreeActor(front, stops, probe.Ref)) with { ShutdownPhase = 0 }, "front");
        for (var i = 0; i < 6; i++)
        {
            await probe.ExpectMsgAsync<string>(s => s.StartsWith("started ", StringComparison.Ordinal), phase: "tree built");
        }

        await Sys.ShutdownAsync().WaitAsync(TestProbe.DefaultTimeout);

        var order = stops.ToList();
        Assert.Equal(6, order.Count);
        int At(string name) => order.IndexOf(name);
        Assert.True(At("front-1") < At("front"), string.Join(" ", order));
        Assert.True(At("front") < At("store-1a"), $"phase 0 before phase 1: {string.Join(" ", order)}");
        Assert.True(At("store-1a") < At("store-1"), string.Join(" ", order));
        Assert.True(At("store-1") < At("store"), string.Join(" ", order));
        Assert.True(At("store-2") < At("store"), string.Join(" ", order));
        Assert.True(Sys.WhenTerminated.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task After_shutdown_no_actor_can_be_created_and_messages_are_dead_letters()
    {
        var counter = Sys.ActorOf(Props.Create(() => new CounterActor(null)), "counter");

        await Sys.ShutdownAsync().WaitAsync(TestProbe.DefaultTimeout);
        counter.Tell("inc");

        var error = Assert.Throws<InvalidOperationException>(() => Sys.ActorOf(Props.Create(() => new CounterActor(null))));
        Assert.Contains("shutting down", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Sys.DeadLetterCount);
        Assert.Same(Sys.ShutdownAsync(), Sys.ShutdownAsync());
    }

    /// <summary>Builds the subtree it is given and records its PostStop.</summary>
    private sealed class TreeActor(TreeActor.Node node, ConcurrentQueue<string> stops, ActorRef probe) : Actor
    {
        internal sealed record Node(string Name, Node[] Children);

        protected override void PreStart()
        {
            foreach (var child in node.Children)
            {
                Context.ActorOf(Props.Create(() => new TreeActor(child, stops, probe)), child.Name);
            }
            probe.Tell($"started {node.Name}");
        }

        protected override void PostStop() => stops.Enqueue(node.Name);

        protected override void Receive(object message) => Unhandled(message);
    }
}
