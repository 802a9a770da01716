using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Swarm.Actors.Platform;

namespace Swarm.Tests.Platform;

/// <summary>Node actor systems for tests on Akka.TestKit's <see cref="TestScheduler"/>: timers fire and the clock
/// moves only when a test advances it.</summary>
internal static class VirtualTimeSystems
{
    private static readonly Config VirtualTime = ConfigurationFactory.ParseString(
        """akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit" """);

    public static ActorSystem Create(string name) => SwarmActorSystem.Create(name, overrides: VirtualTime);

    public static TestScheduler Scheduler(ActorSystem system) => (TestScheduler)system.Scheduler;
}
