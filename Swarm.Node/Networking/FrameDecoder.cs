using System.Buffers.Binary;
using Google.Protobuf;
using Swarm.Node.Identity;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>Turns a byte stream into envelopes: 4-byte big-endian length, then one encoded <see cref="Envelope"/>.
/// Pure and incremental: bytes arrive in any split, and every frame yields an envelope or a rejection value, never an
/// exception. After the first rejection the decoder stays failed, because a framing error loses synchronisation.
/// Memory is bounded by <c>FrameBytesMax</c> plus one read.</summary>
public sealed class FrameDecoder
{
    public const int PrefixBytes = 4;

    private readonly int _frameBytesMax;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public FrameDecoder(int frameBytesMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameBytesMax, 16);
        _frameBytesMax = frameBytesMax;
        _buffer = new byte[Math.Min(frameBytesMax + PrefixBytes, 64 * 1024)];
    }

    /// <summary>The first rejection, once the decoder has failed.</summary>
    public FrameRejection? Failure { get; private set; }

    public int BufferedBytes => _end - _start;

    /// <summary>Space to read into directly (avoids a copy); follow with <see cref="Commit"/>.</summary>
    public Memory<byte> GetReadBuffer(int sizeHint)
    {
        Reserve(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_end);
    }

    public void Commit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    public void Feed(ReadOnlySpan<byte> data)
    {
        Reserve(data.Length);
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>The next complete frame, or null when more bytes are needed (or the decoder has failed).</summary>
    public DecodedFrame? Next()
    {
        if (Failure is not null || BufferedBytes < PrefixBytes)
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
