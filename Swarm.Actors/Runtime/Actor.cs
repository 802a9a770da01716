namespace Swarm.Actors.Runtime;

/// <summary>
/// The base of every actor. An actor processes one message at a time, so its fields need no locks. Create actors
/// with <see cref="ActorSystem.ActorOf"/> or <see cref="IActorContext.ActorOf"/> and a <see cref="Props"/>, never
/// with <c>new</c> alone. Lifecycle: PreStart → messages → PostStop; on a restart the old instance gets PreRestart
/// (default: stop the children, PostStop) and a fresh instance gets PostRestart (default: PreStart).
/// </summary>
public abstract class Actor
{
    protected Actor()
    {
        Context = ActorCell.Constructing
            ?? throw new InvalidOperationException($"{GetType().Name} must be created through Props and ActorOf, not with new");
    }

    /// <summary>This actor's context: Self, Sender, children, timers, watch.</summary>
    protected IActorContext Context { get; }

    protected ActorRef Self => Context.Self;

    protected ActorRef Sender => Context.Sender;

    /// <summary>How this actor supervises its children.</summary>
    protected internal virtual SupervisorStrategy SupervisorStrategy => SupervisorStrategy.Default;

    /// <summary>Handle one message. Call <see cref="Unhandled"/> for messages this actor does not know.</summary>
    protected internal abstract void Receive(object message);

    protected internal virtual void PreStart()
    {
    }

    protected internal virtual void PostStop()
    {
    }

    /// <summary>Called on the failed instance before it is replaced; <paramref name="message"/> is the message that
    /// failed (it is not delivered again).</summary>
    protected internal virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Stop(child);
        }
        PostStop();
    }

    /// <summary>Called on the fresh instance after a restart.</summary>
    protected internal virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>Report a message this actor does not handle (published as <see cref="UnhandledMessage"/>).</summary>
    protected void Unhandled(object message) =>
        Context.System.EventStream.Publish(new UnhandledMessage(message, Context.Sender, Self));
}
