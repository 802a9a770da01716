namespace Swarm.Actors.Runtime;

/// <summary>
/// The hook through which an <see cref="ActorSystem"/> reaches actors on other nodes. The system calls it for every
/// ref whose node id is not its own; a network transport implements it (framing, signing and routing by
/// <see cref="ActorPath.NodeId"/>) and hands inbound messages to <see cref="ActorSystem.DeliverFromRemote"/>.
/// Implementations must not block: queue the message and return.
/// </summary>
public interface IRemoteTransport
{
    /// <summary>Send <paramref name="message"/> to the actor at <paramref name="recipient"/> on another node.</summary>
    void Send(ActorPath recipient, object message, ActorRef? sender);

    /// <summary><paramref name="watcher"/> (local) wants a <see cref="Terminated"/> when the remote actor stops or
    /// its node becomes unreachable.</summary>
    void Watch(ActorPath remote, ActorRef watcher);

    /// <summary>Undo <see cref="Watch"/>.</summary>
    void Unwatch(ActorPath remote, ActorRef watcher);
}
