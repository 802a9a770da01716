using Google.Protobuf;
using Swarm.Actors.Tasks;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Tasks;

namespace Swarm.Tests.Tasks;

public sealed class TaskPeerWireCodecTests
{
    private readonly TaskPeerWireCodec _codec = new();

    [Fact]
    public void Every_round_protocol_message_round_trips_from_its_authenticated_sender()
    {
        object[] messages =
        [
            new PbftPacket("node-a", [1, 2, 3]),
            new UpdateAnnounced("node-a", 7, new string('a', 64)),
        ];
        foreach (var message in messages)
        {
            Assert.True(_codec.TryEncode(message, out var encoded));
            Assert.True(_codec.Knows(encoded.TypeUrl));
            var decoded = _codec.TryDecode("node-a", encoded, out var problem);
            Assert.Equal("", problem);
            Assert.Equal(Describe(message), Describe(decoded!));
        }
        Assert.False(_codec.TryEncode("not a task message", out _));
    }

    [Fact]
    public void An_announcement_carries_the_hash_not_the_update_bytes()
    {
        Assert.True(_codec.TryEncode(new UpdateAnnounced("node-a", 3, new string('b', 64)), out var encoded));
        // Site, round and a 64-character hash with their length prefixes: a ResNet-18 update (45 MB) never rides here.
        Assert.True(encoded.Body.Length < 100, $"announcement body is {encoded.Body.Length} bytes");
    }

    [Fact]
    public void A_message_speaking_for_another_site_or_malformed_is_refused_with_a_reason()
    {
        Assert.True(_codec.TryEncode(new UpdateAnnounced("node-a", 1, new string('c', 64)), out var encoded));
        Assert.Null(_codec.TryDecode("node-b", encoded, out var spoofed));
        Assert.Contains("claims to come from 'node-a' over the link of 'node-b'", spoofed, StringComparison.Ordinal);

        var truncated = new ActorMessage { TypeUrl = TaskPeerWireCodec.AnnouncedType, Body = ByteString.CopyFrom(encoded.Body.ToByteArray()[..^5]) };
        Assert.Null(_codec.TryDecode("node-a", truncated, out var cut));
        Assert.Contains("malformed", cut, StringComparison.Ordinal);

        var random = new Random(5);
        for (var i = 0; i < 20_000; i++)
        {
            var body = new byte[random.Next(0, 64)];
            random.NextBytes(body);
            var type = new[] { TaskPeerWireCodec.PbftType, TaskPeerWireCodec.AnnouncedType }[i % 2];
            var decoded = _codec.TryDecode("node-a", new ActorMessage { TypeUrl = type, Body = ByteString.CopyFrom(body) }, out var problem);
            Assert.True(decoded is not null || problem.Length > 0);
        }
    }

    private static string Describe(object message) => message switch
    {
        PbftPacket p => $"pbft {p.Site} {Convert.ToHexString(p.Message)}",
        UpdateAnnounced a => $"announced {a.Site} {a.Round} {a.Hash}",
        _ => message.ToString()!,
    };
}
