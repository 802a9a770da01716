using Akka.Actor;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Platform;
using Swarm.Node.Identity;
using Swarm.Node.Networking;
using Envelope = Swarm.Node.Networking.Wire.Envelope;
using Swarm.Node.Service;

namespace Swarm.Node.Clustering;

/// <summary>Sends an actor message to another node over Akka.Remote: encoded (<see cref="ActorWireCodecs"/>) into an
/// <see cref="Envelope"/> from this node, signed with the node's Ed25519 key, and told to the other node's
/// <see cref="RemoteInbox"/> at its cluster address (<see cref="ClusterRemoting.AddressOf"/>). Never blocks: Akka.Remote
/// queues it, and drops it when the link is down (the protocols above repeat what matters).</summary>
public sealed class ClusterActorSender : IRemoteSender
{
    private readonly ActorSystem _system;
    private readonly NodeIdentity _identity;
    private readonly EnvelopeSigner _signer;
    private readonly Func<Consortium> _consortium;
    private readonly int _portOffset;
    private readonly ActorWireCodecs _codecs;
    private readonly ILogger _logger;

    /// <param name="system">This node's actor system (the node makes the sender its <see cref="NodeDirectory.Remote"/>).</param>
    /// <param name="identity">This node's id and signing key.</param>
    /// <param name="consortium">The consortium as it is now: where each member listens.</param>
    /// <param name="portOffset">network.cluster-port-offset.</param>
    /// <param name="codecs">The message families this node sends.</param>
    /// <param name="counters">Counts sent and dropped messages.</param>
    /// <param name="logger">Where dropped messages are logged (debug).</param>
    public ClusterActorSender(ActorSystem system, NodeIdentity identity, Func<Consortium> consortium, int portOffset, ActorWireCodecs codecs,
        TransportCounters counters, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(identity);
        _system = system;
        _identity = identity;
        _signer = new EnvelopeSigner(identity.Signer);
        _consortium = consortium;
        _portOffset = portOffset;
        _codecs = codecs;
        Counters = counters;
        _logger = logger;
    }

    public TransportCounters Counters { get; }

    public void Send(PeerAddress recipient, object message)
    {
        var member = _consortium().Find(recipient.Node);
        if (member is null || !_codecs.TryEncode(message, out var encoded))
        {
            Counters.CountDropped();
            _logger.LogDebug("not sent to {Recipient}: {Reason}", recipient,
                member is null ? "not a member of the consortium" : $"no wire encoding for {message.GetType().Name}");
            return;
        }
        var envelope = new Envelope { From = _identity.NodeId, ToActorPath = recipient.Path, Actor = encoded };
        _signer.Sign(envelope);
        var inbox = new RootActorPath(ClusterRemoting.AddressOf(member, _portOffset)) / "user" / RemoteInbox.Name;
        _system.ActorSelection(inbox).Tell(envelope, ActorRefs.NoSender);
        Counters.CountSent();
    }
}
