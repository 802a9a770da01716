namespace Swarm.Actors.Runtime;

/// <summary>
/// Messages of the runtime itself. They travel in a separate unbounded queue that a cell always drains before its
/// next user message, so stop, watch and supervision decisions are never stuck behind a full user mailbox.
/// </summary>
internal abstract record SystemMessage;

/// <summary>Create the actor instance and run PreStart (the first message every cell gets).</summary>
internal sealed record Create : SystemMessage
{
    public static readonly Create Instance = new();
}

/// <summary>Stop: children first (depth first), then PostStop, then tell the watchers.</summary>
internal sealed record Terminate : SystemMessage
{
    public static readonly Terminate Instance = new();
}

/// <summary>Continue with the same instance and state after a failure (supervisor said Resume).</summary>
internal sealed record Resume : SystemMessage
{
    public static readonly Resume Instance = new();
}

/// <summary>Replace the failed instance by a fresh one (supervisor said Restart, after the back-off).</summary>
internal sealed record Recreate(Exception Cause) : SystemMessage;

/// <summary>A child failed; sent to its parent, whose supervisor strategy decides.</summary>
internal sealed record Failed(ActorRef Child, Exception Cause) : SystemMessage;

/// <summary><paramref name="Watcher"/> wants a <see cref="Terminated"/> when <paramref name="Watchee"/> stops.</summary>
internal sealed record Watch(ActorRef Watchee, ActorRef Watcher) : SystemMessage;

/// <summary>Undo a <see cref="Watch"/>.</summary>
internal sealed record Unwatch(ActorRef Watchee, ActorRef Watcher) : SystemMessage;

/// <summary><paramref name="Actor"/> has stopped; sent to its parent and to every watcher.</summary>
internal sealed record DeathWatchNotification(ActorRef Actor) : SystemMessage;
