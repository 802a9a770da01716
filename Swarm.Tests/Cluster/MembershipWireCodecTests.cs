using Google.Protobuf;
using Swarm.Actors.Membership;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Service;
using Heartbeat = Swarm.Actors.Membership.Heartbeat;

namespace Swarm.Tests.Cluster;

public sealed class MembershipWireCodecTests
{
    private static readonly MembershipView View = MembershipView.Of([
        new Member("node-a", 17, Swarm.Actors.Membership.MemberStatus.Up),
        new Member("node-b", 1_795_320_551_491, Swarm.Actors.Membership.MemberStatus.Unreachable),
        new Member("node-c", 3, Swarm.Actors.Membership.MemberStatus.Removed),
    ]);

    [Fact]
    public void Gossip_round_trips_and_takes_its_sender_from_the_authenticated_link()
    {
        Assert.True(MembershipWireCodec.TryEncode(new GossipPayload("claimed-by-body", View, IsReply: true), out var encoded));

        var decoded = MembershipWireCodec.TryDecode("node-b", encoded, out var problem);

        Assert.Equal("", problem);
        var gossip = Assert.IsType<GossipPayload>(decoded);
        Assert.Equal(("node-b", true), (gossip.From, gossip.IsReply));
        Assert.Equal(View, gossip.View);
    }

    [Fact]
    public void Heartbeat_round_trips()
    {
        Assert.True(MembershipWireCodec.TryEncode(new Heartbeat("x", 42), out var encoded));

        Assert.Equal(new Heartbeat("node-c", 42), MembershipWireCodec.TryDecode("node-c", encoded, out _));
    }

    [Fact]
    public void A_message_type_without_a_wire_form_is_not_encoded()
    {
        Assert.False(MembershipWireCodec.TryEncode("a string", out _));
    }

    [Theory]
    [InlineData("Bad Id", 1, 1, "member id 'Bad Id'")]
    [InlineData("node-a", 0, 1, "has incarnation 0")]
    [InlineData("node-a", 5, 99, "unknown status 99")]
    public void Invalid_entries_are_rejected_with_a_reason(string id, long incarnation, int status, string reason)
    {
        var wire = new MembershipGossip();
        wire.Members.Add(new MemberEntry { NodeId = id, Incarnation = incarnation, Status = (Swarm.Node.Networking.Wire.MemberStatus)status });

        var decoded = MembershipWireCodec.TryDecode("node-b", Message(MembershipWireCodec.GossipType, wire.ToByteString()), out var problem);

        Assert.Null(decoded);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_members_unknown_types_and_garbage_bodies_are_rejected()
    {
        var big = new MembershipGossip();
        big.Members.Add(Enumerable.Range(0, MembershipWireCodec.MembersMax + 1).Select(i => new MemberEntry { NodeId = $"n{i}", Incarnation = 1 }));

        Assert.Null(MembershipWireCodec.TryDecode("node-b", Message(MembershipWireCodec.GossipType, big.ToByteString()), out var tooMany));
        Assert.Null(MembershipWireCodec.TryDecode("node-b", Message("swarm.v1.Nope", ByteString.Empty), out var unknown));
        Assert.Null(MembershipWireCodec.TryDecode("node-b", Message(MembershipWireCodec.GossipType, ByteString.CopyFrom(0xFF, 0xFF, 0xFF)), out var garbage));

        Assert.Contains("more than", tooMany, StringComparison.Ordinal);
        Assert.Contains("unknown message type", unknown, StringComparison.Ordinal);
        Assert.Contains("malformed", garbage, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bodies_never_throw()
    {
        var random = new Random(77);
        for (var i = 0; i < 20_000; i++)
        {
            var body = new byte[random.Next(0, 64)];
            random.NextBytes(body);
            var type = random.Next(2) == 0 ? MembershipWireCodec.GossipType : MembershipWireCodec.HeartbeatType;

            var decoded = MembershipWireCodec.TryDecode("node-b", Message(type, ByteString.CopyFrom(body)), out var problem);

            Assert.True(decoded is not null || problem.Length > 0, $"case {i}: neither a message nor a reason");
        }
    }

    private static ActorMessage Message(string type, ByteString body) => new() { TypeUrl = type, Body = body };
}
