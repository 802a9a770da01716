using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Platform;
using Swarm.Node.Service;

namespace Swarm.Tests.Cluster;

/// <summary>A peer that floods a node's actor cannot grow its mailbox without bound: the actors that peers reach
/// have the bounded mailbox of <c>actors.mailbox-capacity</c>, and what does not fit goes to dead letters at once.</summary>
public sealed class PeerMailboxTests
{
    private const int Capacity = 8;

    [Fact]
    public async Task A_flood_to_a_busy_actor_beyond_the_mailbox_capacity_goes_to_dead_letters()
    {
        var system = SwarmActorSystem.Create("node-a", overrides: ClusterNode.MailboxConfig(Capacity));
        try
        {
            var deadLetters = 0;
            EventStreamSubscriber.Subscribe<DeadLetter>(system, _ => Interlocked.Increment(ref deadLetters));
            using var gate = new ManualResetEventSlim(false);
            var handled = 0;
            var busy = system.ActorOf(Props.Create(() => new Busy(gate, () => Interlocked.Increment(ref handled)))
                .WithMailbox(ClusterNode.PeerMailbox), "busy");

            busy.Tell("first");
            SpinWait.SpinUntil(() => Volatile.Read(ref handled) == 1, TimeSpan.FromSeconds(5));
            for (var i = 0; i < 100; i++)
            {
                busy.Tell(i); // the peer's flood, while the actor is stuck on its first message
            }
            gate.Set();

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (Volatile.Read(ref deadLetters) + Volatile.Read(ref handled) < 101 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            Assert.InRange(Volatile.Read(ref handled), 2, 1 + Capacity);
            Assert.Equal(101, Volatile.Read(ref handled) + Volatile.Read(ref deadLetters));
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed class Busy(ManualResetEventSlim gate, Action counted) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            counted();
            gate.Wait(TimeSpan.FromSeconds(10));
        }
    }
}
