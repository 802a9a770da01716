namespace Swarm.Actors.Runtime;

/// <summary>A user message that stops the actor once the messages queued before it have been processed.</summary>
public sealed record PoisonPill
{
    public static readonly PoisonPill Instance = new();
}
