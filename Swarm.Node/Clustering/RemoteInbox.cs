using Akka.Actor;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Platform;
using Swarm.Node.Identity;
using Swarm.Node.Networking;
using Envelope = Swarm.Node.Networking.Wire.Envelope;
using Swarm.Node.Service;

namespace Swarm.Node.Clustering;

/// <summary>
/// Where actor messages from other nodes arrive over Akka.Remote (<c>/user/remote-inbox</c>). Akka.Remote
/// authenticates the link (TLS, pinned) but does not tell the receiver which member sent a message: the sender's
/// address is claimed. So every envelope carries its sender's id in <c>from</c> and is signed with that member's
/// Ed25519 key (<see cref="EnvelopeSigner"/>); the inbox accepts it only when <c>from</c> is a member of the
/// consortium and the signature verifies against the key listed for it, then decodes the message with that sender
/// (<see cref="ActorWireCodecs"/>) and delivers it to the local actor at <c>to_actor_path</c>. A refused envelope
/// is counted and logged, never thrown (STYLE.md #7).
/// </summary>
public sealed class RemoteInbox : ReceiveActor
{
    /// <summary>The inbox's name under <c>/user</c>.</summary>
    public const string Name = "remote-inbox";

    public RemoteInbox(Func<Consortium> consortium, ActorWireCodecs codecs, TransportCounters counters, ILogger logger)
    {
        var directory = NodeDirectory.For(Context.System);
        Receive<Envelope>(envelope =>
        {
            var message = Open(envelope, consortium(), codecs, directory.SelfNode, out var path, out var problem);
            if (message is null)
            {
                counters.CountRejected();
                logger.LogWarning("rejected actor message claiming to come from '{Peer}' to '{Path}': {Problem}", envelope.From, envelope.ToActorPath, problem);
                return;
            }
            counters.CountReceived();
            directory.DeliverLocal(path, message);
        });
    }

    /// <param name="consortium">The consortium as it is now (the file may change while the node runs).</param>
    /// <param name="codecs">The message families this node understands.</param>
    /// <param name="counters">Counts received and refused messages.</param>
    /// <param name="logger">Where refusals are logged.</param>
    public static Props Props(Func<Consortium> consortium, ActorWireCodecs codecs, TransportCounters counters, ILogger logger) =>
        Akka.Actor.Props.Create(() => new RemoteInbox(consortium, codecs, counters, logger));

    /// <summary>The message in <paramref name="envelope"/> and the local path it is for, or null with the problem:
    /// the sender must be a member, the envelope signed by that member's key, the message one this node decodes
    /// and the path a <c>/user</c> actor.</summary>
    public static object? Open(Envelope envelope, Consortium consortium, ActorWireCodecs codecs, string selfNode, out string path, out string problem)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(consortium);
        ArgumentNullException.ThrowIfNull(codecs);
        path = "";
        var member = consortium.Find(envelope.From);
        if (member is null)
        {
            problem = $"'{envelope.From}' is not a member of consortium '{consortium.Name}'";
            return null;
        }
        if (envelope.PayloadCase != Envelope.PayloadOneofCase.Actor)
        {
            problem = $"the envelope carries {envelope.PayloadCase}, not an actor message";
            return null;
        }
        if (!EnvelopeSigner.Verify(envelope, MemberKeys.SigningKey(member)))
        {
            problem = $"the envelope is not signed by the key of '{envelope.From}'";
            return null;
        }
        var message = codecs.TryDecode(envelope.From, envelope.Actor, out problem);
        if (message is null)
        {
            return null;
        }
        if (PeerAddress.TryParse($"{PeerAddress.Scheme}{selfNode}{envelope.ToActorPath}", out var pathError) is not { } address)
        {
            problem = $"bad actor path: {pathError}";
            return null;
        }
        path = address.Path;
        return message;
    }
}
