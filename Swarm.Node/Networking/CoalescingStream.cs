namespace Swarm.Node.Networking;

/// <summary>Sits under <c>SslStream</c> and cuts the socket calls it makes. <c>SslStream</c> writes every TLS record
/// (at most 16 KiB of plaintext) with its own call and reads little more than one record per call, so a megabyte costs
/// some 64 send and 64 receive system calls. Inside a write batch (<see cref="BeginBatch"/> until the next flush)
/// writes are gathered into one buffer and go to the socket when it fills or on <see cref="Flush"/>; outside a batch
/// (the handshake, anything <c>SslStream</c> writes on its own) every write goes straight through, so nothing can sit
/// unsent in the buffer. Reads are served from a read-ahead buffer filled by one large read of the socket. The read
/// side and the write side are independent: one reader and one writer may use the stream at the same time, as
/// <c>SslStream</c> does.</summary>
public sealed class CoalescingStream : Stream
{
    private readonly Stream _inner;
    private readonly byte[] _writeBuffer;
    private readonly byte[] _readBuffer;
    private int _written;
    private int _readStart;
    private int _readEnd;
    private bool _batching;

    public CoalescingStream(Stream inner, int writeBufferBytes = 256 * 1024, int readBufferBytes = 256 * 1024)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(writeBufferBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(readBufferBytes, 1);
        _inner = inner;
        _writeBuffer = new byte[writeBufferBytes];
        _readBuffer = new byte[readBufferBytes];
    }

    public override bool CanRead => _inner.CanRead;

    public override bool CanWrite => _inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Bytes written in the current batch and not yet passed to the inner stream.</summary>
    public int PendingBytes => _written;

    /// <summary>Gathers the following writes until the next <see cref="Flush"/> (or <see cref="FlushAsync(CancellationToken)"/>).</summary>
    public void BeginBatch() => _batching = true;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_batching)
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return;
        }
        while (!buffer.IsEmpty)
        {
            if (_written == 0 && buffer.Length >= _writeBuffer.Length)
            {
                // Larger than the buffer: one write, no copy.
                await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                return;
            }
            var take = Math.Min(buffer.Length, _writeBuffer.Length - _written);
            buffer.Span[..take].CopyTo(_writeBuffer.AsSpan(_written));
            _written += take;
            buffer = buffer[take..];
            if (_written == _writeBuffer.Length)
            {
                await DrainAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!_batching)
        {
            _inner.Write(buffer);
            return;
        }
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, _writeBuffer.Length - _written);
            buffer[..take].CopyTo(_writeBuffer.AsSpan(_written));
            _written += take;
            buffer = buffer[take..];
            if (_written == _writeBuffer.Length)
            {
                _inner.Write(_writeBuffer, 0, _written);
                _written = 0;
            }
        }
    }

    /// <summary>Sends what the batch gathered and ends the batch.</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        _batching = false;
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Flush()
    {
        _batching = false;
        if (_written > 0)
        {
            _inner.Write(_writeBuffer, 0, _written);
            _written = 0;
        }
        _inner.Flush();
    }

    private async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        if (_written > 0)
        {
            var count = _written;
            _written = 0;
            await _inner.WriteAsync(_writeBuffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if (_readStart == _readEnd)
        {
            if (buffer.Length >= _readBuffer.Length)
            {
                return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            _readStart = 0;
            _readEnd = await _inner.ReadAsync(_readBuffer, cancellationToken).ConfigureAwait(false);
            if (_readEnd == 0)
            {
                return 0;
            }
        }
        return TakeBuffered(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if (_readStart == _readEnd)
        {
            if (buffer.Length >= _readBuffer.Length)
            {
                return _inner.Read(buffer);
            }
            _readStart = 0;
            _readEnd = _inner.Read(_readBuffer);
            if (_readEnd == 0)
            {
                return 0;
            }
        }
        return TakeBuffered(buffer);
    }

    private int TakeBuffered(Span<byte> destination)
    {
        var take = Math.Min(destination.Length, _readEnd - _readStart);
        _readBuffer.AsSpan(_readStart, take).CopyTo(destination);
        _readStart += take;
        return take;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
