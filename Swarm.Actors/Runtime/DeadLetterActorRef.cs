namespace Swarm.Actors.Runtime;

/// <summary>A ref that delivers nothing: the system's dead-letter office, or a path that names no live actor.
/// Everything told to it is published as a <see cref="DeadLetter"/>.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system, ActorPath path, string reason) : ActorRef(system, path)
{
    public override void Tell(object message, ActorRef? sender = null)
    {
        if (message is DeadLetter letter)
        {
            System.PublishDeadLetter(letter.Message, letter.Sender, letter.Recipient, letter.Reason);
        }
        else
        {
            System.PublishDeadLetter(message, sender, this, reason);
        }
    }
}
