using System.Buffers.Binary;

namespace Swarm.Consensus.Encoding;

/// <summary>Reads the canonical encoding written by <see cref="CanonicalWriter"/>. Every read is bounds-checked;
/// malformed input throws <see cref="CanonicalFormatException"/>, which decoders turn into a rejection value so
/// that a Byzantine frame never escapes as an exception.</summary>
public ref struct CanonicalReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public CanonicalReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte() => Take(1)[0];

    public bool ReadBool()
    {
        var value = ReadByte();
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw new CanonicalFormatException($"boolean byte {value} is neither 0 nor 1"),
        };
    }

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    /// <summary>Reads a length-prefixed byte string of at most <paramref name="bytesMax"/> bytes.</summary>
    public byte[] ReadBytes(int bytesMax)
    {
        var length = ReadCount(bytesMax, "byte string");
        return Take(length).ToArray();
    }

    public string ReadString(int bytesMax)
    {
        var length = ReadCount(bytesMax, "string");
        return System.Text.Encoding.UTF8.GetString(Take(length));
    }

    public Digest ReadDigest() => Digest.FromBytes(Take(Digest.Size));

    /// <summary>Reads a 32-bit element or byte count and checks it against a limit before anything is allocated.</summary>
    public int ReadCount(int countMax, string what)
    {
        var count = ReadInt32();
        if (count < 0 || count > countMax)
        {
            throw new CanonicalFormatException($"{what} length {count} is outside 0..{countMax}");
        }
        return count;
    }

    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw new CanonicalFormatException($"{Remaining} trailing bytes after the value");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new CanonicalFormatException($"needed {count} bytes at offset {_position}, only {Remaining} left");
        }
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
