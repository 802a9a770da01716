using Google.Protobuf;
using Swarm.Actors.Tasks;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Tasks;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

public sealed class TaskPeerWireCodecTests
{
    private readonly TaskPeerWireCodec _codec = new();

    [Fact]
    public void Every_round_protocol_message_round_trips_from_its_authenticated_sender()
    {
        var hash = new string('a', 64);
        object[] messages =
        [
            new PbftPacket("node-a", [1, 2, 3]),
            new UpdateOffer("node-a", 7, [9, 8, 7, 6]),
            new BlobWanted("node-a", BlobKind.Model, hash),
            new BlobFound("node-a", BlobKind.Update, hash, [5, 5]),
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
    public void A_message_speaking_for_another_site_or_malformed_is_refused_with_a_reason()
    {
        Assert.True(_codec.TryEncode(new UpdateOffer("node-a", 1, [1]), out var encoded));
        Assert.Null(_codec.TryDecode("node-b", encoded, out var spoofed));
        Assert.Contains("claims to come from 'node-a' over the link of 'node-b'", spoofed, StringComparison.Ordinal);

        Assert.True(_codec.TryEncode(new BlobWanted("node-a", BlobKind.Model, "h"), out var wanted));
        var badKind = new ActorMessage { TypeUrl = TaskPeerWireCodec.WantedType, Body = ByteString.CopyFrom(Tamper(wanted.Body.ToByteArray())) };
        Assert.Null(_codec.TryDecode("node-a", badKind, out var kindProblem));
        Assert.Contains("malformed", kindProblem, StringComparison.Ordinal);

        var random = new Random(5);
        for (var i = 0; i < 20_000; i++)
        {
            var body = new byte[random.Next(0, 64)];
            random.NextBytes(body);
            var type = new[] { TaskPeerWireCodec.PbftType, TaskPeerWireCodec.OfferType, TaskPeerWireCodec.WantedType, TaskPeerWireCodec.FoundType }[i % 4];
            var decoded = _codec.TryDecode("node-a", new ActorMessage { TypeUrl = type, Body = ByteString.CopyFrom(body) }, out var problem);
            Assert.True(decoded is not null || problem.Length > 0);
        }
    }

    /// <summary>Sets the blob kind byte (right after the site string) to an unknown kind.</summary>
    private static byte[] Tamper(byte[] body)
    {
        // Site "node-a": a 4-byte length and 6 bytes of text, then the kind.
        body[10] = 99;
        return body;
    }

    private static string Describe(object message) => message switch
    {
        PbftPacket p => $"pbft {p.Site} {Convert.ToHexString(p.Message)}",
        UpdateOffer o => $"offer {o.Site} {o.Round} {Convert.ToHexString(o.Bytes)}",
        BlobWanted w => $"wanted {w.Site} {w.Kind} {w.Hash}",
        BlobFound f => $"found {f.Site} {f.Kind} {f.Hash} {Convert.ToHexString(f.Bytes)}",
        _ => message.ToString()!,
    };
}
