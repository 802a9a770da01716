using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Swarm.Consensus.Encoding;

/// <summary>A SHA-256 digest held as four big-endian words, so that it compares and hashes by value and can key
/// dictionaries without allocation. SHA-256 is pure computation and allowed in the core.</summary>
public readonly record struct Digest(ulong W0, ulong W1, ulong W2, ulong W3)
{
    public const int Size = 32;

    public static Digest Zero => default;

    public static Digest Of(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(data, hash);
        return FromBytes(hash);
    }

    public static Digest FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new CanonicalFormatException($"a digest has {Size} bytes, got {bytes.Length}");
        }
        return new Digest(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, W0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], W1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], W2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], W3);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public string ToHex() => Convert.ToHexStringLower(ToBytes());

    /// <summary>The first 8 hex digits, for status lines and logs.</summary>
    public override string ToString() => ToHex()[..8];
}
