using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>The blob-chunk frame without copying its data: <see cref="TryParse"/> reads an envelope that carries a
/// <see cref="BlobChunk"/> and points the chunk's data into the frame buffer; <see cref="WriteHeader"/> and
/// <see cref="WriteTrailer"/> write every byte of the frame except the data, so that the data can go to TLS straight
/// from where the sender read it. Both follow the protobuf encoding byte for byte (fields in number order, defaults
/// left out, as Google.Protobuf writes them); anything outside that plain shape (repeated or unknown fields, a
/// signature, other payloads) is left to the general protobuf code.</summary>
public static class BlobChunkWire
{
    private const int LengthDelimited = 2;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>True when <paramref name="envelope"/> is worth writing with <see cref="WriteHeader"/>, the data on its
    /// own, then <see cref="WriteTrailer"/>: a blob chunk of at least <paramref name="dataBytesMin"/> bytes with no
    /// signature, whose encoding is exactly what those write.</summary>
    public static bool CanWriteDirect(Envelope envelope, int dataBytesMin)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.PayloadCase != Envelope.PayloadOneofCase.BlobChunk || envelope.Signature.Length != 0
            || envelope.BlobChunk.Data.Length < Math.Max(dataBytesMin, 1))
        {
            return false;
        }
        var chunk = envelope.BlobChunk;
        var chunkBytes = ChunkFieldsBytes(chunk) + chunk.Data.Length + (chunk.Last ? 2 : 0);
        // Unknown fields (kept from a parse) would make the sizes differ: then the general encoder writes it.
        return chunkBytes == chunk.CalculateSize()
            && EnvelopeFieldsBytes(envelope) + 1 + VarintBytes((ulong)chunkBytes) + chunkBytes == envelope.CalculateSize();
    }

    /// <summary>The length prefix and every encoded byte before the chunk's data.</summary>
    public static void WriteHeader(IBufferWriter<byte> output, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(envelope);
        var chunk = envelope.BlobChunk;
        var size = envelope.CalculateSize();
        var span = output.GetSpan(FrameDecoder.PrefixBytes + EnvelopeFieldsBytes(envelope) + 11 + ChunkFieldsBytes(chunk));
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)size);
        var at = FrameDecoder.PrefixBytes;
        at = WriteString(span, at, 1, envelope.From);
        at = WriteString(span, at, 2, envelope.ToActorPath);
        at = WriteVarintField(span, at, 3, envelope.Sequence);
        at = WriteVarint(span, at, (13 << 3) | LengthDelimited);
        at = WriteVarint(span, at, (ulong)chunk.CalculateSize());
        at = WriteString(span, at, 1, chunk.Hash);
        at = WriteVarintField(span, at, 2, chunk.Offset);
        at = WriteVarintField(span, at, 3, chunk.TotalBytes);
        at = WriteVarint(span, at, (4 << 3) | LengthDelimited);
        at = WriteVarint(span, at, (ulong)chunk.Data.Length);
        output.Advance(at);
    }

    /// <summary>The encoded bytes after the chunk's data.</summary>
    public static void WriteTrailer(IBufferWriter<byte> output, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.BlobChunk.Last)
        {
            var span = output.GetSpan(2);
            span[0] = 5 << 3;
            span[1] = 1;
            output.Advance(2);
        }
    }

    /// <summary>Reads <paramref name="body"/> (one frame without its prefix) as an envelope carrying a blob chunk whose
    /// data points into <paramref name="body"/>. False for anything else, including every malformed input: the caller
    /// then parses it with the general parser, which also produces the error.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> body, out Envelope envelope)
    {
        envelope = null!;
        var span = body.Span;
        var at = 0;
        var seen = 0u;
        string from = "", path = "";
        ulong sequence = 0;
        BlobChunk? chunk = null;
        while (at < span.Length)
        {
            if (!TryReadVarint(span, ref at, out var tag) || tag > 0xFF)
            {
                return false;
            }
            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            if (field is not (1 or 2 or 3 or 13) || (seen & (1u << field)) != 0)
            {
                return false;
            }
            seen |= 1u << field;
            if (field == 3)
            {
                if (wire != 0 || !TryReadVarint(span, ref at, out sequence))
                {
                    return false;
                }
                continue;
            }
            if (wire != LengthDelimited || !TryReadLength(span, ref at, out var length))
            {
                return false;
            }
            var value = body.Slice(at, length);
            at += length;
            switch (field)
            {
                case 1 when TryDecode(value.Span, out from):
                case 2 when TryDecode(value.Span, out path):
                    break;
                case 13 when TryParseChunk(value, out chunk):
                    break;
                default:
                    return false;
            }
        }
        if (chunk is null)
        {
            return false;
        }
        envelope = new Envelope { From = from, ToActorPath = path, Sequence = sequence, BlobChunk = chunk };
        return true;
    }

    private static bool TryParseChunk(ReadOnlyMemory<byte> body, out BlobChunk? chunk)
    {
        chunk = null;
        var span = body.Span;
        var at = 0;
        var seen = 0u;
        var result = new BlobChunk();
        while (at < span.Length)
        {
            if (!TryReadVarint(span, ref at, out var tag) || tag > 0xFF)
            {
                return false;
            }
            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            if (field is < 1 or > 5 || (seen & (1u << field)) != 0)
            {
                return false;
            }
            seen |= 1u << field;
            if (field is 2 or 3 or 5)
            {
                if (wire != 0 || !TryReadVarint(span, ref at, out var number))
                {
                    return false;
                }
                switch (field)
                {
                    case 2: result.Offset = number; break;
                    case 3: result.TotalBytes = number; break;
                    default: result.Last = number != 0; break;
                }
                continue;
            }
            if (wire != LengthDelimited || !TryReadLength(span, ref at, out var length))
            {
                return false;
            }
            var value = body.Slice(at, length);
            at += length;
            if (field == 1)
            {
                if (!TryDecode(value.Span, out var hash))
                {
                    return false;
                }
                result.Hash = hash;
            }
            else
            {
                result.Data = UnsafeByteOperations.UnsafeWrap(value);
            }
        }
        chunk = result;
        return true;
    }

    private static bool TryReadLength(ReadOnlySpan<byte> span, ref int at, out int length)
    {
        length = 0;
        if (!TryReadVarint(span, ref at, out var value) || value > (ulong)(span.Length - at))
        {
            return false;
        }
        length = (int)value;
        return true;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> span, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && at < span.Length; shift += 7)
        {
            var b = span[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                // The tenth byte may only carry the top bit of a 64-bit value.
                return shift < 63 || b <= 1;
            }
        }
        return false;
    }

    private static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (ArgumentException)
        {
            text = "";
            return false;
        }
    }

    private static int EnvelopeFieldsBytes(Envelope envelope) =>
        StringFieldBytes(envelope.From) + StringFieldBytes(envelope.ToActorPath) + VarintFieldBytes(envelope.Sequence);

    /// <summary>Bytes of the chunk's fields before the data, including the data's tag and length.</summary>
    private static int ChunkFieldsBytes(BlobChunk chunk) =>
        StringFieldBytes(chunk.Hash) + VarintFieldBytes(chunk.Offset) + VarintFieldBytes(chunk.TotalBytes)
        + 1 + VarintBytes((ulong)chunk.Data.Length);

    private static int StringFieldBytes(string value) => value.Length == 0 ? 0 : 1 + CodedOutputStream.ComputeStringSize(value);

    private static int VarintFieldBytes(ulong value) => value == 0 ? 0 : 1 + CodedOutputStream.ComputeUInt64Size(value);

    private static int VarintBytes(ulong value) => CodedOutputStream.ComputeRawVarint64Size(value);

    private static int WriteString(Span<byte> span, int at, int field, string value)
    {
        if (value.Length == 0)
        {
            return at;
        }
        at = WriteVarint(span, at, (ulong)((field << 3) | LengthDelimited));
        at = WriteVarint(span, at, (ulong)Encoding.UTF8.GetByteCount(value));
        return at + Encoding.UTF8.GetBytes(value, span[at..]);
    }

    private static int WriteVarintField(Span<byte> span, int at, int field, ulong value) =>
        value == 0 ? at : WriteVarint(span, WriteVarint(span, at, (ulong)(field << 3)), value);

    private static int WriteVarint(Span<byte> span, int at, ulong value)
    {
        while (value >= 0x80)
        {
            span[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[at++] = (byte)value;
        return at;
    }
}
