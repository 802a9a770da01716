namespace Swarm.Actors.Runtime;

/// <summary>ActorOf was given a name that is malformed or already taken by a sibling (a programming error).</summary>
public sealed class InvalidActorNameException(string message) : ArgumentException(message);
