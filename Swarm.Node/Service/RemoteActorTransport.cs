using Microsoft.Extensions.Logging;
using Swarm.Actors.Membership;
using ActorSystem = Akka.Actor.ActorSystem;
using Swarm.Actors.Platform;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Service;

/// <summary>Joins the node's actor system to the peer transport. Outbound: a message for <c>swarm://peer/user/...</c>
/// is encoded (<see cref="ActorWireCodecs"/>) into a signed <see cref="ActorMessage"/> envelope and queued for that
/// peer without waiting (a full queue drops it: gossip repeats itself). Inbound: an actor envelope is decoded and
/// delivered to the local actor its <c>to_actor_path</c> names (<see cref="NodeDirectory.DeliverLocal"/>).</summary>
public sealed class RemoteActorTransport : IRemoteSender, IEnvelopeHandler
{
    private readonly ActorSystem _system;
    private readonly NodeDirectory _directory;
    private readonly ILogger _logger;
    private readonly Func<string, bool> _isMember;
    private readonly ActorWireCodecs _codecs;
    private PeerTransport? _transport;

    /// <param name="system">The local actor system (this node); the transport becomes its remote sender.</param>
    /// <param name="logger">Where refused messages are logged.</param>
    /// <param name="isMember">Whether a node id is in the consortium: gossip naming any other node is refused, so
    /// a member cannot make the others gossip with (or report) nodes that do not exist.</param>
    /// <param name="codecs">Message families beyond membership that this node sends and receives.</param>
    public RemoteActorTransport(ActorSystem system, ILogger logger, Func<string, bool> isMember, ActorWireCodecs? codecs = null)
    {
        _codecs = codecs ?? new ActorWireCodecs();
        _system = system;
        _logger = logger;
        _isMember = isMember;
        _directory = NodeDirectory.For(system);
        _directory.Remote = this;
    }

    public TransportCounters Counters { get; } = new();

    /// <summary>Connects the outbound side (the transport is created after this handler, which it needs).</summary>
    public void Attach(PeerTransport transport) => _transport = transport;

    public void Send(PeerAddress recipient, object message)
    {
        if (_transport is null || !_codecs.TryEncode(message, out var encoded))
        {
            Counters.CountDropped();
            _logger.LogDebug("not sent to {Recipient}: {Reason}", recipient,
                _transport is null ? "the transport is not started" : $"no wire encoding for {message.GetType().Name}");
            return;
        }
        var envelope = new Envelope { ToActorPath = recipient.Path, Actor = encoded };
        try
        {
            if (_transport.TrySend(recipient.Node, envelope))
            {
                Counters.CountSent();
            }
            else
            {
                Counters.CountDropped();
            }
        }
        catch (Exception e) when (e is ArgumentException or ObjectDisposedException)
        {
            Counters.CountDropped();
            _logger.LogDebug("not sent to {Recipient}: {Reason}", recipient, e.Message);
        }
    }

    public ValueTask HandleAsync(string fromNodeId, Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var message = _codecs.TryDecode(fromNodeId, envelope.Actor, out var problem);
        if (message is GossipPayload gossip && gossip.View.Members.Keys.FirstOrDefault(id => !_isMember(id)) is { } stranger)
        {
            (message, problem) = (null, $"gossip lists '{stranger}', which is not a member of the consortium");
        }
        PeerAddress? address = null;
        if (message is not null && (address = PeerAddress.TryParse($"{PeerAddress.Scheme}{_system.Name}{envelope.ToActorPath}", out var pathError)) is null)
        {
            problem = $"bad actor path: {pathError}";
        }
        if (message is null || address is null)
        {
            Counters.CountRejected();
            _logger.LogWarning("rejected actor message from {Peer} to '{Path}': {Problem}", fromNodeId, envelope.ToActorPath, problem);
            return ValueTask.CompletedTask;
        }
        Counters.CountReceived();
        _directory.DeliverLocal(address.Value.Path, message);
        return ValueTask.CompletedTask;
    }
}
