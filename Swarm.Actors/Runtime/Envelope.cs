namespace Swarm.Actors.Runtime;

/// <summary>A user message and its sender as it waits in a mailbox (a struct: no allocation per message).</summary>
internal readonly record struct Envelope(object Message, ActorRef? Sender);
