namespace Swarm.Actors.Runtime;

/// <summary>
/// How to create an actor: a factory (called again for each restart, so every incarnation starts fresh) plus
/// mailbox capacity and the shutdown phase of a top-level actor.
/// </summary>
public sealed record Props
{
    private Props(Func<Actor> factory, Type actorType)
    {
        Factory = factory;
        ActorType = actorType;
    }

    /// <summary>Creates a new instance of the actor; called on the actor's own thread, once per incarnation.</summary>
    public Func<Actor> Factory { get; }

    /// <summary>The actor's type (for logs).</summary>
    public Type ActorType { get; }

    /// <summary>User mailbox capacity in messages; null takes <see cref="ActorSystemSettings.MailboxCapacity"/>.</summary>
    public int? MailboxCapacity { get; init; }

    /// <summary>
    /// For top-level actors: <see cref="ActorSystem.ShutdownAsync"/> stops phase 0 first, waits until all of its
    /// actors (and their children) have stopped, then phase 1, and so on. Put front doors (HTTP, transport) in early
    /// phases and stores in late ones.
    /// </summary>
    public int ShutdownPhase { get; init; }

    /// <summary>Props for an actor with a parameterless constructor.</summary>
    public static Props Create<TActor>()
        where TActor : Actor, new() => new(static () => new TActor(), typeof(TActor));

    /// <summary>Props for an actor built by <paramref name="factory"/> (it must return a new instance each call).</summary>
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : Actor
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(factory, typeof(TActor));
    }
}
