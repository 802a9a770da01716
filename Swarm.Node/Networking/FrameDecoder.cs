using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Swarm.Node.Identity;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>Turns a byte stream into envelopes: 4-byte big-endian length, then one encoded <see cref="Envelope"/>.
/// Pure and incremental: bytes arrive in any split, and every frame yields an envelope or a rejection value, never an
/// exception. After the first rejection the decoder stays failed, because a framing error loses synchronisation.
/// Memory is bounded by <c>FrameBytesMax</c> plus one read.
/// <para>Frames of at least <c>pooledFrameBytesMin</c> bytes are gathered in a buffer of their own, rented from the
/// shared array pool, which <see cref="GetReadBuffer"/> hands out so that the reader fills it directly. A blob chunk in
/// such a frame is parsed without copying its data (<see cref="BlobChunkWire.TryParse"/>): the frame then carries a
/// <see cref="FrameLease"/> on the buffer, which the receiver must dispose. Other large frames are parsed as usual and
/// their buffer goes back to the pool at once.</para></summary>
public sealed class FrameDecoder
{
    public const int PrefixBytes = 4;

    private readonly int _frameBytesMax;
    private readonly int _pooledFrameBytesMin;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private byte[]? _large;
    private int _largeLength;
    private int _largeFilled;

    public FrameDecoder(int frameBytesMax, int pooledFrameBytesMin = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameBytesMax, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(pooledFrameBytesMin, 1);
        _frameBytesMax = frameBytesMax;
        _pooledFrameBytesMin = pooledFrameBytesMin;
        _buffer = new byte[Math.Min(frameBytesMax + PrefixBytes, 64 * 1024)];
    }

    /// <summary>The first rejection, once the decoder has failed.</summary>
    public FrameRejection? Failure { get; private set; }

    public int BufferedBytes => _end - _start + (_large is null ? 0 : PrefixBytes + _largeFilled);

    /// <summary>Space to read into directly (avoids a copy); follow with <see cref="Commit"/>. While a large frame
    /// is being gathered this is the rest of that frame's buffer, whatever the hint.</summary>
    public Memory<byte> GetReadBuffer(int sizeHint)
    {
        if (_large is not null)
        {
            return _large.AsMemory(_largeFilled, _largeLength - _largeFilled);
        }
        Reserve(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_end);
    }

    public void Commit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_large is not null)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _largeLength - _largeFilled);
            _largeFilled += count;
            return;
        }
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    public void Feed(ReadOnlySpan<byte> data)
    {
        if (_large is not null)
        {
            var take = Math.Min(data.Length, _largeLength - _largeFilled);
            data[..take].CopyTo(_large.AsSpan(_largeFilled));
            _largeFilled += take;
            data = data[take..];
        }
        Reserve(data.Length);
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>The next complete frame, or null when more bytes are needed (or the decoder has failed).</summary>
    public DecodedFrame? Next()
    {
        if (Failure is not null)
        {
            return null;
        }
        if (_large is not null)
        {
            return _largeFilled < _largeLength ? null : TakeLarge();
        }
        if (BufferedBytes < PrefixBytes)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start));
        if (length == 0)
        {
            return Fail(FrameRejectionKind.ZeroLength, "length prefix is 0");
        }
        if (length > (uint)_frameBytesMax)
        {
            return Fail(FrameRejectionKind.Oversized, $"length prefix {length} exceeds FrameBytesMax {_frameBytesMax}");
        }
        if (length >= (uint)_pooledFrameBytesMin)
        {
            // A buffer of its own, filled first with what is already here; the reader fills the rest directly.
            var here = Math.Min(BufferedBytes - PrefixBytes, (int)length);
            _large = ArrayPool<byte>.Shared.Rent((int)length);
            _largeLength = (int)length;
            _largeFilled = here;
            _buffer.AsSpan(_start + PrefixBytes, _largeFilled).CopyTo(_large);
            _start += PrefixBytes + _largeFilled;
            return Next();
        }
        if (BufferedBytes < PrefixBytes + (int)length)
        {
            return null;
        }
        var body = _buffer.AsSpan(_start + PrefixBytes, (int)length);
        _start += PrefixBytes + (int)length;
        var frame = Parse(body);
        return frame.Rejection is null ? frame : Fail(frame.Rejection.Kind, frame.Rejection.Detail);
    }

    /// <summary>Call at end of stream: a rejection if the stream stopped inside a frame, otherwise null.</summary>
    public FrameRejection? Complete()
    {
        if (Failure is null && BufferedBytes > 0)
        {
            Fail(FrameRejectionKind.Truncated, $"stream ended with {BufferedBytes} byte(s) of an unfinished frame");
        }
        return Failure;
    }

    private DecodedFrame TakeLarge()
    {
        var buffer = _large!;
        var body = buffer.AsMemory(0, _largeLength);
        _large = null;
        if (BlobChunkWire.TryParse(body, out var chunk))
        {
            var idProblem = NodeId.Problem(chunk.From);
            if (idProblem is null)
            {
                return DecodedFrame.Accept(chunk, new FrameLease(buffer));
            }
        }
        var frame = Parse(body.Span);
        ArrayPool<byte>.Shared.Return(buffer);
        return frame.Rejection is null ? frame : Fail(frame.Rejection.Kind, frame.Rejection.Detail);
    }

    private static DecodedFrame Parse(ReadOnlySpan<byte> body)
    {
        Envelope envelope;
        try
        {
            envelope = Envelope.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            return DecodedFrame.Reject(FrameRejectionKind.Malformed, e.Message);
        }
        if (envelope.PayloadCase == Envelope.PayloadOneofCase.None)
        {
            return DecodedFrame.Reject(FrameRejectionKind.UnknownPayload, "envelope has no known payload");
        }
        var idProblem = NodeId.Problem(envelope.From);
        return idProblem is null
            ? DecodedFrame.Accept(envelope)
            : DecodedFrame.Reject(FrameRejectionKind.InvalidField, $"from {idProblem}");
    }

    private DecodedFrame Fail(FrameRejectionKind kind, string detail)
    {
        Failure = new FrameRejection(kind, detail);
        _start = _end = 0;
        if (_large is { } large)
        {
            _large = null;
            ArrayPool<byte>.Shared.Return(large);
        }
        return DecodedFrame.Reject(kind, detail);
    }

    private void Reserve(int count)
    {
        if (_buffer.Length - _end >= count)
        {
            return;
        }
        var pending = BufferedBytes;
        if (_start > 0 && _buffer.Length - pending >= count)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
        }
        else
        {
            var grown = new byte[Math.Max(_buffer.Length * 2, pending + count)];
            Buffer.BlockCopy(_buffer, _start, grown, 0, pending);
            _buffer = grown;
        }
        _start = 0;
        _end = pending;
    }
}
