using System.Security.Cryptography;
using Google.Protobuf;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;

namespace Swarm.Tests.Networking;

/// <summary>The wire contract is reviewed, never changed by accident: a change of protos/swarm/v1/swarm.proto changes
/// the descriptor digest, and a change of the encoding changes the golden frame. Update WireContract.golden only
/// after checking that the change only adds fields.</summary>
public sealed class WireContractTests
{
    private static Dictionary<string, string> Golden() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Networking", "WireContract.golden"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', 2))
            .ToDictionary(p => p[0], p => p[1]);

    [Fact]
    public void The_proto_descriptor_matches_the_reviewed_digest()
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(SwarmReflection.Descriptor.SerializedData.Span));
        Assert.True(Golden()["descriptor-sha256"] == digest,
            $"swarm.proto changed (descriptor digest now {digest}); review that fields were only added, then update Swarm.Tests/Networking/WireContract.golden");
    }

    [Fact]
    public void A_known_envelope_encodes_to_the_golden_frame_and_back()
    {
        var envelope = new Envelope
        {
            From = "a",
            ToActorPath = "/user/x",
            Sequence = 300,
            BlobChunk = new BlobChunk { Hash = "ab", Offset = 1, TotalBytes = 2, Data = ByteString.CopyFrom(1, 2), Last = true },
        };
        var frame = Convert.ToHexStringLower(FrameWriter.Encode(envelope));
        Assert.Equal(Golden()["envelope-frame-hex"], frame);
        var decoder = new FrameDecoder(1024);
        decoder.Feed(Convert.FromHexString(Golden()["envelope-frame-hex"]));
        Assert.Equal(envelope, decoder.Next()!.Value.Envelope);
    }
}
