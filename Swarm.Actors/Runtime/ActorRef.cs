namespace Swarm.Actors.Runtime;

/// <summary>
/// A handle to an actor: the only way to reach one. Refs are cheap to pass around in messages; Tell never blocks and
/// never throws on delivery problems (a message that cannot be delivered becomes a <see cref="DeadLetter"/>).
/// </summary>
public abstract class ActorRef : IEquatable<ActorRef>
{
    private protected ActorRef(ActorSystem system, ActorPath path)
    {
        System = system;
        Path = path;
    }

    /// <summary>The actor's address (<c>swarm://node-id/user/...</c>).</summary>
    public ActorPath Path { get; }

    internal ActorSystem System { get; }

    /// <summary>Sends a message without waiting; <paramref name="sender"/> is what the receiver sees as Sender.</summary>
    public abstract void Tell(object message, ActorRef? sender = null);

    /// <summary>
    /// Sends a message and waits for space in the mailbox when it is full (back-pressure for async senders), where
    /// <see cref="Tell"/> would turn the message into a dead letter. Refs without a bounded mailbox deliver at once.
    /// </summary>
    public virtual ValueTask TellAsync(object message, ActorRef? sender = null, CancellationToken cancellationToken = default)
    {
        Tell(message, sender);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Sends <paramref name="message"/> and waits for the first reply. The reply must be a <typeparamref name="T"/>
    /// (a <see cref="StatusFailure"/> reply fails the task with its cause); no reply within
    /// <paramref name="timeout"/> (measured on the system's <see cref="TimeProvider"/>) fails it with
    /// <see cref="AskTimeoutException"/>.
    /// </summary>
    public async Task<T> Ask<T>(object message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var reply = await PromiseActorRef.Ask(this, message, timeout, cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            T typed => typed,
            StatusFailure failure => throw failure.Cause,
            _ => throw new InvalidCastException(
                $"ask to {Path} expected a reply of type {typeof(T).Name} but got {reply?.GetType().Name ?? "null"}"),
        };
    }

    /// <summary>Delivers a system message (watch, stop, ...). Refs without a cell answer what they can.</summary>
    internal virtual void SendSystemMessage(SystemMessage message)
    {
        switch (message)
        {
            // Watching something that has no cell (dead letters, a finished ask) means watching the dead.
            case Watch watch when watch.Watchee.Equals(this):
                watch.Watcher.SendSystemMessage(new DeathWatchNotification(this));
                break;
            case DeathWatchNotification notification:
                Tell(new Terminated(notification.Actor), notification.Actor);
                break;
            default:
                break;
        }
    }

    public bool Equals(ActorRef? other) => other is not null && ReferenceEquals(System, other.System) && Path.Equals(other.Path) && SameIncarnation(other);

    /// <summary>Local refs are equal only when they point at the same incarnation (cell) of a path.</summary>
    private protected virtual bool SameIncarnation(ActorRef other) => other is not LocalActorRef;

    public override bool Equals(object? obj) => Equals(obj as ActorRef);

    public override int GetHashCode() => Path.GetHashCode();

    public override string ToString() => Path.ToString();
}
