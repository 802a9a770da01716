using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace Swarm.Actors.Platform;

/// <summary>The base of the node's actors: an Akka <see cref="UntypedActor"/> with timers, a logger named after the
/// actor's type from the node's loggers, and the node's clock (the system scheduler's, which the test scheduler
/// moves in tests).</summary>
public abstract class SwarmActor : UntypedActor, IWithTimers
{
    private ILogger? _log;

    /// <summary>Set by Akka before PreStart.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    protected ILogger Log => _log ??= NodeLogging.For(Context.System).Factory.CreateLogger(GetType());

    /// <summary>Wall-clock time as the actor system's scheduler sees it.</summary>
    protected DateTimeOffset Now => Context.System.Scheduler.Now;

    /// <summary>Publishes <paramref name="event"/> on the node's event stream.</summary>
    protected void Publish(object @event) => Context.System.EventStream.Publish(@event);
}
