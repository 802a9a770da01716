namespace Swarm.Actors.Runtime;

/// <summary>Published on the <see cref="EventStream"/> when an actor calls Unhandled for a message it does not know.</summary>
public sealed record UnhandledMessage(object Message, ActorRef? Sender, ActorRef Recipient);
