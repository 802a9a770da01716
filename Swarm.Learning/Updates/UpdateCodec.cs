using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Swarm.Learning.Updates;

/// <summary>
/// The canonical byte form of a <see cref="SparseUpdate"/>, as published in a blob: magic "SWU1", the vector
/// length and the shared count (int32, little-endian), the indices (int32) and then the values (IEEE float32),
/// all little-endian. A dense update omits the indices (flag byte 1).
/// </summary>
public static class UpdateCodec
{
    private const int HeaderBytes = 4 + 1 + 4 + 4;
    private static ReadOnlySpan<byte> Magic => "SWU1"u8;

    public static byte[] Encode(SparseUpdate update)
    {
        var dense = update.IsDense;
        var bytes = new byte[HeaderBytes + (dense ? 0 : 4 * update.Count) + (4 * update.Count)];
        Magic.CopyTo(bytes);
        bytes[4] = dense ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(5), update.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(9), update.Count);
        var offset = HeaderBytes;
        if (!dense)
        {
            WriteLittleEndian(update.Indices, bytes.AsSpan(offset, 4 * update.Count));
            offset += 4 * update.Count;
        }
        WriteLittleEndian(update.Values, bytes.AsSpan(offset, 4 * update.Count));
        return bytes;
    }

    /// <summary>Decodes and validates an update; anything malformed throws <see cref="InvalidUpdateException"/>
    /// naming the problem.</summary>
    public static SparseUpdate Decode(ReadOnlySpan<byte> bytes) => Decode(bytes, null);

    /// <summary>As <see cref="Decode(ReadOnlySpan{byte})"/>, with the values in an array of
    /// <paramref name="pool"/> (the caller gives it back once done with the update).</summary>
    public static SparseUpdate Decode(ReadOnlySpan<byte> bytes, VectorPool<float>? pool)
    {
        if (bytes.Length < HeaderBytes || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidUpdateException("update blob does not start with the SWU1 header");
        }
        var flag = bytes[4];
        if (flag > 1)
        {
            throw new InvalidUpdateException($"update blob has an unknown layout flag {flag}");
        }
        var dense = flag == 1;
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[5..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[9..]);
        if (length < 0 || count < 0 || count > length || (dense && count != length))
        {
            throw new InvalidUpdateException($"update blob declares {count} shared coordinates of {length}");
        }
        var expected = HeaderBytes + ((dense ? 4L : 8L) * count);
        if (bytes.Length != expected)
        {
            throw new InvalidUpdateException($"update blob is {bytes.Length} bytes, expected {expected}");
        }
        var values = pool?.Rent(count) ?? new float[count];
        if (dense)
        {
            ReadLittleEndian(bytes.Slice(HeaderBytes, 4 * count), values);
            return SparseUpdate.DenseOver(values);
        }
        var indices = new int[count];
        ReadLittleEndian(bytes.Slice(HeaderBytes, 4 * count), indices);
        ReadLittleEndian(bytes.Slice(HeaderBytes + (4 * count), 4 * count), values);
        return SparseUpdate.Create(length, indices, values);
    }

    // Whole spans at once (a copy on little-endian machines) rather than value by value: a model's update is
    // hundreds of thousands of values, decoded by every site in every round.
    private static void WriteLittleEndian<T>(ReadOnlySpan<T> values, Span<byte> bytes) where T : unmanaged
    {
        var raw = MemoryMarshal.AsBytes(values);
        raw.CopyTo(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            SwapWords(bytes);
        }
    }

    private static void ReadLittleEndian<T>(ReadOnlySpan<byte> bytes, Span<T> values) where T : unmanaged
    {
        var raw = MemoryMarshal.AsBytes(values);
        bytes.CopyTo(raw);
        if (!BitConverter.IsLittleEndian)
        {
            SwapWords(raw);
        }
    }

    private static void SwapWords(Span<byte> bytes)
    {
        var words = MemoryMarshal.Cast<byte, int>(bytes);
        BinaryPrimitives.ReverseEndianness(words, words);
    }
}
