using System.Buffers.Binary;
using Google.Protobuf;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;

namespace Swarm.Tests.Networking;

public sealed class FrameDecoderTests
{
    private static Envelope Sample(ulong sequence) => new()
    {
        From = "node-a",
        ToActorPath = "/user/consensus",
        Sequence = sequence,
        Actor = new ActorMessage { TypeUrl = "swarm.v1/Test", Body = ByteString.CopyFromUtf8($"message {sequence}") },
    };

    private static List<DecodedFrame> Drain(FrameDecoder decoder)
    {
        var frames = new List<DecodedFrame>();
        while (decoder.Next() is { } frame)
        {
            frames.Add(frame);
        }
        return frames;
    }

    [Fact]
    public void Frames_fed_one_byte_at_a_time_decode_in_order()
    {
        var bytes = FrameWriter.Encode(Sample(1)).Concat(FrameWriter.Encode(Sample(2))).ToArray();
        var decoder = new FrameDecoder(1024);
        var frames = new List<DecodedFrame>();
        foreach (var b in bytes)
        {
            decoder.Feed([b]);
            frames.AddRange(Drain(decoder));
        }
        Assert.Equal([Sample(1), Sample(2)], frames.Select(f => f.Envelope));
        Assert.Null(decoder.Complete());
    }

    [Fact]
    public void An_oversized_length_prefix_is_rejected_before_its_body_arrives()
    {
        var decoder = new FrameDecoder(1024);
        decoder.Feed([0, 0, 4, 1]);
        var frame = Assert.Single(Drain(decoder));
        Assert.Equal(FrameRejectionKind.Oversized, frame.Rejection!.Kind);
        Assert.Contains("1025", frame.Rejection.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zero_length_prefix_is_rejected()
    {
        var decoder = new FrameDecoder(1024);
        decoder.Feed([0, 0, 0, 0]);
        Assert.Equal(FrameRejectionKind.ZeroLength, Assert.Single(Drain(decoder)).Rejection!.Kind);
    }

    [Fact]
    public void A_body_that_is_not_protobuf_is_rejected_as_malformed()
    {
        var decoder = new FrameDecoder(1024);
        decoder.Feed([0, 0, 0, 3, 0xff, 0xff, 0xff]);
        Assert.Equal(FrameRejectionKind.Malformed, Assert.Single(Drain(decoder)).Rejection!.Kind);
    }

    [Fact]
    public void An_envelope_without_a_known_payload_is_rejected()
    {
        var unknown = new Envelope { From = "a", Sequence = 1 }.ToByteArray().Concat(new byte[] { 0xf8, 0x07, 0x01 }).ToArray();
        var decoder = new FrameDecoder(1024);
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)unknown.Length);
        decoder.Feed(prefix);
        decoder.Feed(unknown);
        Assert.Equal(FrameRejectionKind.UnknownPayload, Assert.Single(Drain(decoder)).Rejection!.Kind);
    }

    [Fact]
    public void An_invalid_sender_id_is_rejected()
    {
        var decoder = new FrameDecoder(1024);
        decoder.Feed(FrameWriter.Encode(new Envelope { From = "../x", Heartbeat = new Heartbeat() }));
        Assert.Equal(FrameRejectionKind.InvalidField, Assert.Single(Drain(decoder)).Rejection!.Kind);
    }

    [Fact]
    public void A_stream_ending_inside_a_frame_is_truncated()
    {
        var bytes = FrameWriter.Encode(Sample(1));
        var decoder = new FrameDecoder(1024);
        decoder.Feed(bytes.AsSpan(0, bytes.Length - 1));
        Assert.Empty(Drain(decoder));
        Assert.Equal(FrameRejectionKind.Truncated, decoder.Complete()!.Kind);
    }

    [Fact]
    public void After_a_rejection_the_decoder_yields_nothing_more()
    {
        var decoder = new FrameDecoder(1024);
        decoder.Feed([0, 0, 0, 0]);
        decoder.Feed(FrameWriter.Encode(Sample(1)));
        Assert.Single(Drain(decoder));
        Assert.Empty(Drain(decoder));
        Assert.Equal(FrameRejectionKind.ZeroLength, decoder.Failure!.Kind);
    }
}
