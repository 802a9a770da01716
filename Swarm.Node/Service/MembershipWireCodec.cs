using Google.Protobuf;
using Swarm.Actors.Membership;
using Swarm.Node.Networking.Wire;
using Heartbeat = Swarm.Actors.Membership.Heartbeat;
using WireMemberStatus = Swarm.Node.Networking.Wire.MemberStatus;

namespace Swarm.Node.Service;

/// <summary>Translates the gossip actor's messages to and from their protobuf form. Decoding is the edge of the
/// membership protocol (STYLE.md #7): sizes, node ids and statuses are checked here and a bad message becomes a
/// problem string, never an exception; the sender is always the link's authenticated peer, never a field.</summary>
public static class MembershipWireCodec
{
    public const string GossipType = "swarm.v1.MembershipGossip";
    public const string HeartbeatType = "swarm.v1.MembershipHeartbeat";

    /// <summary>More entries than any consortium has members: bounds the work one message can cause.</summary>
    public const int MembersMax = 1024;

    public static bool TryEncode(object message, out ActorMessage encoded)
    {
        encoded = message switch
        {
            GossipPayload gossip => new ActorMessage { TypeUrl = GossipType, Body = ToWire(gossip).ToByteString() },
            Heartbeat heartbeat => new ActorMessage { TypeUrl = HeartbeatType, Body = new MembershipHeartbeat { Incarnation = heartbeat.Incarnation }.ToByteString() },
            _ => null!,
        };
        return encoded is not null;
    }

    /// <summary>The message carried by <paramref name="encoded"/>, from the authenticated <paramref name="from"/>;
    /// null with <paramref name="problem"/> set when it is not a valid membership message.</summary>
    public static object? TryDecode(string from, ActorMessage encoded, out string problem)
    {
        problem = "";
        try
        {
            return encoded.TypeUrl switch
            {
                GossipType => FromWire(from, MembershipGossip.Parser.ParseFrom(encoded.Body), out problem),
                HeartbeatType => HeartbeatOf(from, MembershipHeartbeat.Parser.ParseFrom(encoded.Body), out problem),
                _ => Fail($"unknown message type '{encoded.TypeUrl}'", out problem),
            };
        }
        catch (InvalidProtocolBufferException e)
        {
            return Fail($"malformed {encoded.TypeUrl}: {e.Message}", out problem);
        }
    }

    private static MembershipGossip ToWire(GossipPayload gossip)
    {
        var wire = new MembershipGossip { IsReply = gossip.IsReply };
        wire.Members.AddRange(gossip.View.Members.Values.Select(m =>
            new MemberEntry { NodeId = m.NodeId, Incarnation = m.Incarnation, Status = (WireMemberStatus)(int)m.Status }));
        return wire;
    }

    private static GossipPayload? FromWire(string from, MembershipGossip wire, out string problem)
    {
        if (wire.Members.Count > MembersMax)
        {
            return Fail<GossipPayload>($"gossip lists {wire.Members.Count} members, more than {MembersMax}", out problem);
        }
        var members = new List<Member>(wire.Members.Count);
        foreach (var entry in wire.Members)
        {
            var entryProblem = Identity.NodeId.Problem(entry.NodeId) is { } p ? $"member id '{entry.NodeId}' {p}"
                : entry.Incarnation <= 0 ? $"member '{entry.NodeId}' has incarnation {entry.Incarnation}"
                : !Enum.IsDefined((Actors.Membership.MemberStatus)(int)entry.Status) ? $"member '{entry.NodeId}' has unknown status {(int)entry.Status}"
                : null;
            if (entryProblem is not null)
            {
                return Fail<GossipPayload>(entryProblem, out problem);
            }
            members.Add(new Member(entry.NodeId, entry.Incarnation, (Actors.Membership.MemberStatus)(int)entry.Status));
        }
        problem = "";
        return new GossipPayload(from, MembershipView.Of(members), wire.IsReply);
    }

    private static Heartbeat? HeartbeatOf(string from, MembershipHeartbeat wire, out string problem)
    {
        if (wire.Incarnation <= 0)
        {
            return Fail<Heartbeat>($"heartbeat has incarnation {wire.Incarnation}", out problem);
        }
        problem = "";
        return new Heartbeat(from, wire.Incarnation);
    }

    private static T? Fail<T>(string why, out string problem)
        where T : class
    {
        problem = why;
        return null;
    }

    private static object? Fail(string why, out string problem) => Fail<object>(why, out problem);
}
