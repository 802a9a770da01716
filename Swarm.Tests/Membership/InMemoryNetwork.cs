using System.Collections.Concurrent;
using Akka.Actor;
using Swarm.Actors.Platform;

namespace Swarm.Tests.Membership;

/// <summary>Connects actor systems in one process as if by a transport: a message for another node id is delivered
/// to that node's system. A node removed from the network (crashed) silently loses its mail.</summary>
internal sealed class InMemoryNetwork
{
    private readonly ConcurrentDictionary<string, ActorSystem> _systems = new(StringComparer.Ordinal);

    public void Join(ActorSystem system)
    {
        _systems[system.Name] = system;
        NodeDirectory.For(system).Remote = new Link(this);
    }

    public void Cut(string nodeId) => _systems.TryRemove(nodeId, out _);

    private sealed class Link(InMemoryNetwork network) : IRemoteSender
    {
        public void Send(PeerAddress recipient, object message)
        {
            if (network._systems.TryGetValue(recipient.Node, out var target))
            {
                NodeDirectory.For(target).DeliverLocal(recipient.Path, message);
            }
        }
    }
}
