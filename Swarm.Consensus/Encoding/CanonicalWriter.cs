using System.Buffers;
using System.Buffers.Binary;

namespace Swarm.Consensus.Encoding;

/// <summary>Writes the canonical binary encoding used for hashing and signing: fixed field order, big-endian
/// integers, every variable-length field prefixed by its length as a 32-bit big-endian count. Two honest
/// replicas that encode the same value always produce the same bytes, which is what makes hashes comparable.</summary>
public sealed class CanonicalWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public CanonicalWriter(int initialCapacity = 256)
    {
        _buffer = new ArrayBufferWriter<byte>(initialCapacity);
    }

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public CanonicalWriter WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
        return this;
    }

    public CanonicalWriter WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public CanonicalWriter WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public CanonicalWriter WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    /// <summary>Writes a length-prefixed byte string.</summary>
    public CanonicalWriter WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        WriteRaw(value);
        return this;
    }

    /// <summary>Writes bytes with no prefix: fixed-size fields such as digests, or bytes already in canonical form.</summary>
    public CanonicalWriter WriteRaw(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
        return this;
    }

    public CanonicalWriter WriteString(string value)
    {
        var count = System.Text.Encoding.UTF8.GetByteCount(value);
        WriteInt32(count);
        System.Text.Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count));
        _buffer.Advance(count);
        return this;
    }

    public CanonicalWriter WriteDigest(Digest digest)
    {
        digest.WriteTo(_buffer.GetSpan(Digest.Size));
        _buffer.Advance(Digest.Size);
        return this;
    }
}
