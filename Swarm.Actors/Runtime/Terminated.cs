namespace Swarm.Actors.Runtime;

/// <summary>Delivered to every actor that watches <paramref name="ActorRef"/> once it has stopped (also when the watch
/// began after it had stopped).</summary>
public sealed record Terminated(ActorRef ActorRef);
