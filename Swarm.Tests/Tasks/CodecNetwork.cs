using System.Collections.Concurrent;
using Akka.Actor;
using Swarm.Actors.Platform;
using Swarm.Node.Service;
using Swarm.Node.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>Connects actor systems in one process through the task wire codec, as the transport does: every
/// message between nodes is encoded, decoded with the sending node as the authenticated <c>from</c>, and delivered
/// without a sender. A node not joined (or cut) loses its mail.</summary>
internal sealed class CodecNetwork
{
    private readonly ConcurrentDictionary<string, ActorSystem> _systems = new(StringComparer.Ordinal);
    private readonly ActorWireCodecs _codecs = new([TaskWireCodec.Instance]);

    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary>When set and true for (sender node, recipient node, message), the message is lost.</summary>
    public Func<string, string, object, bool>? Drop { get; set; }

    public void Join(ActorSystem system)
    {
        _systems[system.Name] = system;
        NodeDirectory.For(system).Remote = new Link(this, system.Name);
    }

    private sealed class Link(CodecNetwork network, string from) : IRemoteSender
    {
        public void Send(PeerAddress recipient, object message)
        {
            if (network.Drop?.Invoke(from, recipient.Node, message) == true)
            {
                return;
            }
            if (!network._codecs.TryEncode(message, out var encoded))
            {
                network.Problems.Enqueue($"no wire encoding for {message.GetType().Name}");
                return;
            }
            var decoded = network._codecs.TryDecode(from, encoded, out var problem);
            if (decoded is null)
            {
                network.Problems.Enqueue(problem);
                return;
            }
            if (network._systems.TryGetValue(recipient.Node, out var target))
            {
                NodeDirectory.For(target).DeliverLocal(recipient.Path, decoded);
            }
        }
    }
}
