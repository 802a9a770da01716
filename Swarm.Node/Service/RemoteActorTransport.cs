using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Membership;
using Swarm.Actors.Runtime;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;
using MemberStatus = Swarm.Actors.Membership.MemberStatus;

namespace Swarm.Node.Service;

/// <summary>Joins the actor runtime to the peer transport. Outbound: a message for <c>swarm://peer/user/...</c> is
/// encoded (<see cref="ActorWireCodecs"/>) into a signed <see cref="ActorMessage"/> envelope and queued for that
/// peer without waiting (a full queue drops it: gossip repeats itself). Inbound: an actor envelope is decoded and
/// delivered to the local actor its <c>to_actor_path</c> names. Death watch of remote actors follows membership: a
/// watched actor's node becoming unreachable, down or removed sends the watcher <see cref="Terminated"/>.</summary>
public sealed class RemoteActorTransport : IRemoteTransport, IEnvelopeHandler
{
    private readonly ActorSystem _system;
    private readonly ILogger _logger;
    private readonly Func<string, bool> _isMember;
    private readonly ActorWireCodecs _codecs;
    private readonly ConcurrentDictionary<(ActorPath Remote, ActorRef Watcher), byte> _watches = new();
    private PeerTransport? _transport;

    /// <param name="system">The local actor system (this node).</param>
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
        system.EventStream.Subscribe<MemberChanged>(OnMemberChanged);
    }

    public TransportCounters Counters { get; } = new();

    /// <summary>Connects the outbound side (the transport is created after this handler, which it needs).</summary>
    public void Attach(PeerTransport transport) => _transport = transport;

    public void Send(ActorPath recipient, object message, ActorRef? sender)
    {
        if (_transport is null || !_codecs.TryEncode(message, out var encoded))
        {
            Counters.CountDropped();
            _logger.LogDebug("not sent to {Recipient}: {Reason}", recipient,
                _transport is null ? "the transport is not started" : $"no wire encoding for {message.GetType().Name}");
            _system.DeadLetters.Tell(message, sender);
            return;
        }
        var envelope = new Envelope { ToActorPath = LocalPart(recipient), Actor = encoded };
        try
        {
            if (_transport.TrySend(recipient.NodeId, envelope))
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

    public void Watch(ActorPath remote, ActorRef watcher) => _watches[(remote, watcher)] = 0;

    public void Unwatch(ActorPath remote, ActorRef watcher) => _watches.TryRemove((remote, watcher), out _);

    public ValueTask HandleAsync(string fromNodeId, Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var message = _codecs.TryDecode(fromNodeId, envelope.Actor, out var problem);
        if (message is GossipPayload gossip && gossip.View.Members.Keys.FirstOrDefault(id => !_isMember(id)) is { } stranger)
        {
            (message, problem) = (null, $"gossip lists '{stranger}', which is not a member of the consortium");
        }
        ActorPath? path = null;
        if (message is not null && !ActorPath.TryParse($"{ActorPath.Scheme}{_system.Name}{envelope.ToActorPath}", out path, out var pathError))
        {
            problem = $"bad actor path: {pathError}";
        }
        if (message is null || path is null)
        {
            Counters.CountRejected();
            _logger.LogWarning("rejected actor message from {Peer} to '{Path}': {Problem}", fromNodeId, envelope.ToActorPath, problem);
            return ValueTask.CompletedTask;
        }
        Counters.CountReceived();
        _system.DeliverFromRemote(path, message, sender: null);
        return ValueTask.CompletedTask;
    }

    private void OnMemberChanged(MemberChanged changed)
    {
        if (changed.Current.Status is MemberStatus.Joining or MemberStatus.Up or MemberStatus.Leaving)
        {
            return;
        }
        foreach (var (remote, watcher) in _watches.Keys.Where(k => k.Remote.NodeId == changed.Current.NodeId))
        {
            if (_watches.TryRemove((remote, watcher), out _))
            {
                watcher.Tell(new Terminated(_system.ResolvePath(remote)));
            }
        }
    }

    /// <summary>The path without scheme and node id (<c>/user/gossip</c>), as <c>to_actor_path</c> carries it.</summary>
    private static string LocalPart(ActorPath path) => "/" + string.Join('/', path.Elements);
}
