using Swarm.Node.Networking;

namespace Swarm.Tests.Networking;

public sealed class CoalescingStreamTests
{
    /// <summary>Records every write it receives and hands out its content in reads of at most <c>ReadBytesMax</c>.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        private readonly int _readBytesMax;

        public RecordingStream(byte[]? content = null, int readBytesMax = int.MaxValue)
        {
            _readBytesMax = readBytesMax;
            if (content is not null)
            {
                base.Write(content, 0, content.Length);
                Position = 0;
            }
        }

        public List<int> Writes { get; } = [];

        public int Reads { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes.Add(count);
            base.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads++;
            return ValueTask.FromResult(base.Read(buffer.Span[..Math.Min(buffer.Length, _readBytesMax)]));
        }
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Writes_in_a_batch_reach_the_socket_only_on_flush_in_order_and_intact()
    {
        var inner = new RecordingStream();
        var stream = new CoalescingStream(inner, writeBufferBytes: 1000);
        var sent = new List<byte>();
        var random = new Random(7);

        for (var batch = 0; batch < 20; batch++)
        {
            stream.BeginBatch();
            for (var i = 0; i < 10; i++)
            {
                var piece = Pattern(random.Next(1, 90), (batch * 10) + i);
                await stream.WriteAsync(piece);
                sent.AddRange(piece);
            }
            Assert.Equal(sent.Count - inner.Length, stream.PendingBytes);
            await stream.FlushAsync();
            Assert.Equal(0, stream.PendingBytes);
            Assert.Equal(sent.Count, inner.Length);
        }

        Assert.Equal(sent, inner.ToArray());
        // 200 small writes became one socket write per batch (each batch is under the 1000-byte buffer).
        Assert.Equal(20, inner.Writes.Count);
    }

    [Fact]
    public async Task A_full_buffer_goes_out_during_the_batch_and_a_write_larger_than_the_buffer_is_not_split()
    {
        var inner = new RecordingStream();
        var stream = new CoalescingStream(inner, writeBufferBytes: 100);
        var first = Pattern(60, 1);
        var second = Pattern(70, 2);
        var large = Pattern(250, 3);

        stream.BeginBatch();
        await stream.WriteAsync(first);
        await stream.WriteAsync(second);
        Assert.Equal([100], inner.Writes);
        stream.Write(Pattern(30, 4));
        await stream.FlushAsync();
        stream.BeginBatch();
        await stream.WriteAsync(large);
        await stream.FlushAsync();

        Assert.Equal([100, 60, 250], inner.Writes);
        Assert.Equal(first.Concat(second).Concat(Pattern(30, 4)).Concat(large).ToArray(), inner.ToArray());
    }

    [Fact]
    public async Task Writes_outside_a_batch_go_straight_through_so_handshake_bytes_are_never_held_back()
    {
        var inner = new RecordingStream();
        var stream = new CoalescingStream(inner, writeBufferBytes: 1000);

        await stream.WriteAsync(Pattern(10, 1));
        stream.Write(Pattern(20, 2));
        Assert.Equal(30, inner.Length);
        stream.BeginBatch();
        await stream.WriteAsync(Pattern(5, 3));
        stream.Flush();
        await stream.WriteAsync(Pattern(7, 4));

        Assert.Equal([10, 20, 5, 7], inner.Writes);
        Assert.Equal(0, stream.PendingBytes);
    }

    [Fact]
    public async Task Small_reads_are_served_from_one_large_read_and_return_every_byte_in_order()
    {
        var content = Pattern(10_000, 9);
        var inner = new RecordingStream(content);
        var stream = new CoalescingStream(inner, readBufferBytes: 4096);
        var received = new List<byte>();
        var buffer = new byte[37];

        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        Assert.Equal(content, received);
        // 10 000 bytes in 4096-byte read-aheads: three reads with data and one that finds the end.
        Assert.Equal(4, inner.Reads);
        Assert.Equal(0, await stream.ReadAsync(buffer));
    }

    [Fact]
    public async Task Short_reads_of_the_socket_are_passed_on_without_waiting_for_more()
    {
        var content = Pattern(300, 5);
        var inner = new RecordingStream(content, readBytesMax: 100);
        var stream = new CoalescingStream(inner, readBufferBytes: 4096);
        var buffer = new byte[5000];

        Assert.Equal(100, await stream.ReadAsync(buffer.AsMemory(0, 1000)));
        Assert.Equal(content[..100], buffer[..100]);
        // A read at least as large as the read-ahead buffer goes straight to the inner stream.
        Assert.Equal(100, await stream.ReadAsync(buffer.AsMemory(0, 4096)));
        Assert.Equal(content[100..200], buffer[..100]);
        Assert.Equal(100, stream.Read(buffer, 0, 50) + stream.Read(buffer, 50, 50));
        Assert.Equal(content[200..300], buffer[..100]);
    }
}
