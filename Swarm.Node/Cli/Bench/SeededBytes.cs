namespace Swarm.Node.Cli.Bench;

/// <summary>A read-only stream of <c>length</c> pseudo-random bytes from a seeded PRNG (SplitMix64): large test blobs without
/// holding them in memory, reproducible from the seed.</summary>
internal sealed class SeededBytes(int seed, long length) : Stream
{
    private ulong _state = (ulong)seed;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Whole 8-byte words of SplitMix64 (a seeded generator far faster than System.Random's seeded mode).
        var n = (int)Math.Min(buffer.Length & ~7, length - _position);
        if (n < 8)
        {
            n = (int)Math.Min(buffer.Length, length - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[i] = (byte)Next();
            }
            _position += n;
            return n;
        }
        n &= ~7;
        foreach (ref var word in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(buffer[..n]))
        {
            word = Next();
        }
        _position += n;
        return n;
    }

    private ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
