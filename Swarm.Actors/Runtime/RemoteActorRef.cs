namespace Swarm.Actors.Runtime;

/// <summary>A ref to an actor on another node: everything sent to it goes through the system's
/// <see cref="IRemoteTransport"/>, or to dead letters when no transport is installed.</summary>
internal sealed class RemoteActorRef(ActorSystem system, ActorPath path) : ActorRef(system, path)
{
    public override void Tell(object message, ActorRef? sender = null)
    {
        if (System.RemoteTransport is { } transport)
        {
            transport.Send(Path, message, sender);
        }
        else
        {
            System.PublishDeadLetter(message, sender, this, $"no remote transport to reach node '{Path.NodeId}'");
        }
    }

    internal override void SendSystemMessage(SystemMessage message)
    {
        switch (message)
        {
            case Watch watch when System.RemoteTransport is { } transport:
                transport.Watch(Path, watch.Watcher);
                break;
            case Unwatch unwatch when System.RemoteTransport is { } transport:
                transport.Unwatch(Path, unwatch.Watcher);
                break;
            case Terminate:
                Tell(PoisonPill.Instance);
                break;
            default:
                base.SendSystemMessage(message);
                break;
        }
    }
}
