using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>Encodes envelopes as frames (4-byte big-endian length, then the envelope), the inverse of
/// <see cref="FrameDecoder"/>.</summary>
public static class FrameWriter
{
    public static void Append(IBufferWriter<byte> output, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(envelope);
        var size = envelope.CalculateSize();
        var span = output.GetSpan(FrameDecoder.PrefixBytes + size);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)size);
        envelope.WriteTo(span.Slice(FrameDecoder.PrefixBytes, size));
        output.Advance(FrameDecoder.PrefixBytes + size);
    }

    public static byte[] Encode(Envelope envelope)
    {
        var output = new ArrayBufferWriter<byte>();
        Append(output, envelope);
        return output.WrittenSpan.ToArray();
    }
}
