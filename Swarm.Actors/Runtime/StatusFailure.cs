namespace Swarm.Actors.Runtime;

/// <summary>A reply that reports a failure; an <see cref="ActorRef.Ask{T}"/> that gets it fails with
/// <paramref name="Cause"/>.</summary>
public sealed record StatusFailure(Exception Cause);
