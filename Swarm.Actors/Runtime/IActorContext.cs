using Microsoft.Extensions.Logging;

namespace Swarm.Actors.Runtime;

/// <summary>What an actor sees of its own cell. Use it only on the actor's thread (inside Receive and the hooks).</summary>
public interface IActorContext
{
    /// <summary>This actor's ref.</summary>
    ActorRef Self { get; }

    /// <summary>The sender of the message being processed (dead letters when there was none).</summary>
    ActorRef Sender { get; }

    /// <summary>The supervisor; null for the user guardian.</summary>
    ActorRef? Parent { get; }

    /// <summary>The children alive now.</summary>
    IReadOnlyCollection<ActorRef> Children { get; }

    /// <summary>The system this actor lives in.</summary>
    ActorSystem System { get; }

    /// <summary>This actor's timers.</summary>
    ITimerScheduler Timers { get; }

    /// <summary>A logger named after the actor's type.</summary>
    ILogger Log { get; }

    /// <summary>Create a child; <paramref name="name"/> must be unique among the siblings (null picks one).</summary>
    ActorRef ActorOf(Props props, string? name = null);

    /// <summary>The child with this name, or null.</summary>
    ActorRef? Child(string name);

    /// <summary>Stop an actor (this one, a child or any other); its children stop first.</summary>
    void Stop(ActorRef actor);

    /// <summary>Get a <see cref="Terminated"/> when <paramref name="actor"/> stops (at once if it already has).</summary>
    void Watch(ActorRef actor);

    /// <summary>Undo <see cref="Watch"/>; no Terminated for that actor arrives afterwards.</summary>
    void Unwatch(ActorRef actor);

    /// <summary>Handle the next messages with <paramref name="behavior"/> instead of Receive.</summary>
    void Become(Action<object> behavior);

    /// <summary>Go back to Receive.</summary>
    void Unbecome();
}
