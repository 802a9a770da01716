using Akka.Actor;
using Akka.Dispatch.SysMsg;
using Akka.Event;

namespace Swarm.Actors.Platform;

/// <summary>Sends a message to an actor on another node (the node's transport implements it: framing, signing and
/// routing by node id). Must not block: queue and return.</summary>
public interface IRemoteSender
{
    void Send(PeerAddress recipient, object message);
}

/// <summary>
/// How a node's actors reach actors by <see cref="PeerAddress"/>: an actor of this node is told directly (through
/// an actor selection, so a task's peer that restarted is found again), an actor of another node through the
/// node's <see cref="IRemoteSender"/>, or dead letters when the node has none. One per actor system (an Akka
/// extension).
/// </summary>
public sealed class NodeDirectory : IExtension
{
    private readonly ExtendedActorSystem _system;

    private NodeDirectory(ExtendedActorSystem system) => _system = system;

    /// <summary>This node's id: the system's name unless the node sets it (in a consortium every node's system has
    /// the same name, which Akka.Cluster requires).</summary>
    public string SelfNode
    {
        get => _selfNode ?? _system.Name;
        set => _selfNode = value;
    }

    private string? _selfNode;

    /// <summary>The transport to other nodes; null while there is none.</summary>
    public IRemoteSender? Remote { get; set; }

    public static NodeDirectory For(ActorSystem system) => system.WithExtension<NodeDirectory, Provider>();

    /// <summary>A ref to the actor at <paramref name="address"/>, on this node or another.</summary>
    public IActorRef Resolve(PeerAddress address) => new PeerRef(this, address);

    /// <summary>Delivers a message that arrived from another node to the local actor at <paramref name="path"/>.</summary>
    public void DeliverLocal(string path, object message) => _system.ActorSelection(path).Tell(message, ActorRefs.NoSender);

    private sealed class Provider : ExtensionIdProvider<NodeDirectory>
    {
        public override NodeDirectory CreateExtension(ExtendedActorSystem system) => new(system);
    }

    /// <summary>A ref by address. Replies to messages sent through it go to dead letters: peers answer by
    /// address, as they would across nodes.</summary>
    private sealed class PeerRef : MinimalActorRef
    {
        private readonly NodeDirectory _directory;
        private readonly PeerAddress _address;

        public PeerRef(NodeDirectory directory, PeerAddress address)
        {
            _directory = directory;
            _address = address;
            var path = (ActorPath)new RootActorPath(new Address("akka", address.Node));
            foreach (var element in address.Path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                path /= element;
            }
            Path = path;
        }

        public override ActorPath Path { get; }

        public override IActorRefProvider Provider => _directory._system.Provider;

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (_address.Node == _directory.SelfNode)
            {
                _directory._system.ActorSelection(_address.Path).Tell(message, sender);
            }
            else if (_directory.Remote is { } remote)
            {
                remote.Send(_address, message);
            }
            else
            {
                _directory._system.DeadLetters.Tell(new DeadLetter(message, sender, this), sender);
            }
        }

        public override void SendSystemMessage(ISystemMessage message)
        {
            // Death watch of another node's actors is not offered: tasks never depend on it.
        }
    }
}
