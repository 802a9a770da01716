using System.Collections.Concurrent;
using Swarm.Actors.Runtime;

namespace Swarm.Tests.Membership;

/// <summary>Connects actor systems in one process as if by a transport: a message for another node id is delivered
/// to that node's system (sender path kept). A node removed from the network (crashed) silently loses its mail.</summary>
internal sealed class InMemoryNetwork
{
    private readonly ConcurrentDictionary<string, ActorSystem> _systems = new(StringComparer.Ordinal);

    public void Join(ActorSystem system)
    {
        _systems[system.Name] = system;
        system.AttachTransport(new Link(this));
    }

    public void Cut(string nodeId) => _systems.TryRemove(nodeId, out _);

    private sealed class Link(InMemoryNetwork network) : IRemoteTransport
    {
        public void Send(ActorPath recipient, object message, ActorRef? sender)
        {
            if (network._systems.TryGetValue(recipient.NodeId, out var target))
            {
                target.DeliverFromRemote(recipient, message, sender?.Path);
            }
        }

        public void Watch(ActorPath remote, ActorRef watcher)
        {
        }

        public void Unwatch(ActorPath remote, ActorRef watcher)
        {
        }
    }
}
