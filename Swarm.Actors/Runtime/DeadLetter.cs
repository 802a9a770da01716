namespace Swarm.Actors.Runtime;

/// <summary>A message that could not be delivered, published on the <see cref="EventStream"/>.</summary>
/// <param name="Message">The message itself.</param>
/// <param name="Sender">Who sent it (null when sent from outside any actor).</param>
/// <param name="Recipient">Whom it was for.</param>
/// <param name="Reason">Why it was not delivered (recipient stopped, mailbox full, no transport for a node).</param>
public sealed record DeadLetter(object Message, ActorRef? Sender, ActorRef Recipient, string Reason);
