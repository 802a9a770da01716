namespace Swarm.Actors.Runtime;

/// <summary>Settings of an actor system (bound from the <c>swarm.actors</c> section of the configuration later).</summary>
public sealed record ActorSystemSettings
{
    /// <summary>Default capacity of a user mailbox, in messages; a Tell to a full mailbox becomes a dead letter.</summary>
    public int MailboxCapacity { get; init; } = 1000;

    /// <summary>Most user messages an actor processes before it lets other actors have the thread.</summary>
    public int Throughput { get; init; } = 100;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting that is out of range.</summary>
    public ActorSystemSettings Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MailboxCapacity, 1, nameof(MailboxCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(Throughput, 1, nameof(Throughput));
        return this;
    }
}
