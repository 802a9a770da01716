using System.Buffers;
using Google.Protobuf;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;

namespace Swarm.Tests.Networking;

public sealed class BlobChunkWireTests
{
    public static TheoryData<ulong, ulong, int, bool, string> Shapes => new()
    {
        { 0, 0, 20_000, false, "" },
        { 0, 100_000_000, 1024 * 1024, false, "/user/blobs" },
        { 3 * 1024 * 1024, 4 * 1024 * 1024, 1024 * 1024, true, "" },
        { ulong.MaxValue, ulong.MaxValue, 70_000, true, "/ü" },
    };

    private static Envelope Chunk(ulong offset, ulong total, int bytes, bool last, string path, ulong sequence = 300)
    {
        var data = new byte[bytes];
        new Random(bytes).NextBytes(data);
        return new Envelope
        {
            From = "node-a", ToActorPath = path, Sequence = sequence,
            BlobChunk = new BlobChunk { Hash = new string('b', 64), Offset = offset, TotalBytes = total, Data = ByteString.CopyFrom(data), Last = last },
        };
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Header_data_and_trailer_are_the_frame_the_protobuf_encoder_writes(ulong offset, ulong total, int bytes, bool last, string path)
    {
        var envelope = Chunk(offset, total, bytes, last, path);
        Assert.True(BlobChunkWire.CanWriteDirect(envelope, 16 * 1024));
        var output = new ArrayBufferWriter<byte>();
        BlobChunkWire.WriteHeader(output, envelope);
        output.Write(envelope.BlobChunk.Data.Span);
        BlobChunkWire.WriteTrailer(output, envelope);
        Assert.Equal(FrameWriter.Encode(envelope), output.WrittenSpan.ToArray());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Parsing_without_copy_gives_the_envelope_protobuf_parses(ulong offset, ulong total, int bytes, bool last, string path)
    {
        var envelope = Chunk(offset, total, bytes, last, path);
        var body = envelope.ToByteArray();
        Assert.True(BlobChunkWire.TryParse(body, out var parsed));
        Assert.Equal(Envelope.Parser.ParseFrom(body), parsed);
        // The data points into the frame: no copy was made.
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(parsed.BlobChunk.Data.Memory, out var segment));
        Assert.Same(body, segment.Array);
    }

    [Fact]
    public void Small_or_signed_chunks_and_other_payloads_take_the_general_path()
    {
        Assert.False(BlobChunkWire.CanWriteDirect(Chunk(0, 10, 10, true, ""), 16 * 1024));
        var signed = Chunk(0, 100_000, 100_000, true, "");
        signed.Signature = ByteString.CopyFrom(1, 2, 3);
        Assert.False(BlobChunkWire.CanWriteDirect(signed, 16 * 1024));
        Assert.False(BlobChunkWire.TryParse(signed.ToByteArray(), out _));
        var heartbeat = new Envelope { From = "node-a", Sequence = 1, Heartbeat = new Heartbeat { Nonce = 5 } };
        Assert.False(BlobChunkWire.CanWriteDirect(heartbeat, 0));
        Assert.False(BlobChunkWire.TryParse(heartbeat.ToByteArray(), out _));
    }

    [Fact]
    public void A_repeated_field_or_a_truncated_body_is_left_to_the_general_parser()
    {
        var body = Chunk(5, 100_000, 20_000, false, "").ToByteArray();
        var twice = body.Concat(new Envelope { Sequence = 9 }.ToByteArray()).ToArray();
        Assert.False(BlobChunkWire.TryParse(twice, out _));
        for (var cut = 1; cut < 80; cut++)
        {
            Assert.False(BlobChunkWire.TryParse(body.AsMemory(0, body.Length - 20_000 - cut), out _));
        }
    }
}

public sealed class PooledFrameDecoderTests
{
    private static Envelope Chunk(ulong sequence, int bytes) => new()
    {
        From = "node-a", Sequence = sequence,
        BlobChunk = new BlobChunk { Hash = new string('c', 64), Offset = sequence * 1000, TotalBytes = 1 << 30, Data = ByteString.CopyFrom(Enumerable.Range(0, bytes).Select(i => (byte)(i * (int)sequence)).ToArray()) },
    };

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(200_000)]
    public void Large_chunks_read_into_pooled_buffers_decode_in_order_with_small_frames_between(int readBytes)
    {
        var sent = new List<Envelope>();
        var stream = new List<byte>();
        for (ulong i = 1; i <= 6; i++)
        {
            var envelope = i % 3 == 0
                ? new Envelope { From = "node-a", Sequence = i, Heartbeat = new Heartbeat { Nonce = i } }
                : Chunk(i, (int)(50_000 + (i * 7_777)));
            sent.Add(envelope);
            stream.AddRange(FrameWriter.Encode(envelope));
        }
        var bytes = stream.ToArray();
        var decoder = new FrameDecoder(1 << 20, pooledFrameBytesMin: 40_000);
        var received = new List<Envelope>();
        var leases = 0;
        for (var at = 0; at < bytes.Length;)
        {
            var space = decoder.GetReadBuffer(readBytes);
            var take = Math.Min(Math.Min(space.Length, readBytes), bytes.Length - at);
            bytes.AsSpan(at, take).CopyTo(space.Span);
            decoder.Commit(take);
            at += take;
            while (decoder.Next() is { } frame)
            {
                Assert.Null(frame.Rejection);
                if (frame.Lease is { } lease)
                {
                    leases++;
                    // Copy before giving the buffer back, as the receiver's writer does by writing it out.
                    var copy = frame.Envelope!.Clone();
                    lease.Detach(copy);
                    received.Add(copy);
                }
                else
                {
                    received.Add(frame.Envelope!);
                }
            }
        }
        Assert.Null(decoder.Complete());
        Assert.Equal(sent, received);
        Assert.Equal(4, leases);
    }

    [Fact]
    public void A_stream_cut_inside_a_pooled_frame_is_reported_as_truncated()
    {
        var bytes = FrameWriter.Encode(Chunk(1, 100_000));
        var decoder = new FrameDecoder(1 << 20, pooledFrameBytesMin: 40_000);
        decoder.Feed(bytes.AsSpan(0, 60_000));
        Assert.Null(decoder.Next());
        Assert.Equal(FrameRejectionKind.Truncated, decoder.Complete()!.Kind);
    }

    [Fact]
    public void A_malformed_pooled_frame_is_rejected_like_any_other()
    {
        var body = new byte[50_000];
        Array.Fill(body, (byte)0xFF);
        var frame = new byte[body.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        var decoder = new FrameDecoder(1 << 20, pooledFrameBytesMin: 40_000);
        decoder.Feed(frame);
        Assert.Equal(FrameRejectionKind.Malformed, decoder.Next()!.Value.Rejection!.Kind);
        Assert.Null(decoder.Next());
    }
}
