using System.Buffers.Binary;
using Google.Protobuf;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;

namespace Swarm.Tests.Networking;

/// <summary>Random and mutated byte streams through the frame decoder: whatever arrives, every frame is an envelope or
/// a rejection and no exception escapes. The seed is printed in every failure so a case replays exactly.</summary>
public sealed class FrameDecoderFuzzTests
{
    private const int Seed = 20261122;
    private const int Cases = 120_000;
    private const int FrameBytesMax = 2048;

    [Fact]
    public void Random_and_mutated_inputs_yield_only_envelopes_or_rejections()
    {
        var random = new Random(Seed);
        var corpus = Enumerable.Range(0, 64).Select(i => FrameWriter.Encode(RandomEnvelope(random, i))).ToArray();
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < Cases; i++)
        {
            var (mutation, input) = Mutate(random, corpus);
            try
            {
                var outcome = Decode(random, input);
                var key = $"{mutation}:{outcome}";
                outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {Seed} case {i} ({mutation}, {input.Length} bytes {Convert.ToHexString(input.AsSpan(0, Math.Min(64, input.Length)))}) threw {e}");
            }
        }
        // The generator reaches every kind of outcome the decoder has (otherwise the fuzzing is too narrow).
        foreach (var expected in new[] { "Accepted", "Truncated", "Oversized", "ZeroLength", "Malformed", "UnknownPayload", "InvalidField" })
        {
            Assert.True(outcomes.Keys.Any(k => k.EndsWith(expected, StringComparison.Ordinal)), $"seed {Seed}: no case ended {expected}");
        }
    }

    [Fact]
    public void Unmutated_streams_decode_to_exactly_what_was_encoded_at_any_split()
    {
        var random = new Random(Seed + 1);
        for (var i = 0; i < 2_000; i++)
        {
            var envelopes = Enumerable.Range(0, random.Next(1, 6)).Select(j => RandomEnvelope(random, j)).ToList();
            var bytes = envelopes.SelectMany(FrameWriter.Encode).ToArray();
            var decoder = new FrameDecoder(FrameBytesMax);
            var decoded = new List<Envelope>();
            foreach (var piece in Split(random, bytes))
            {
                decoder.Feed(piece.Span);
                while (decoder.Next() is { } frame)
                {
                    decoded.Add(frame.Envelope ?? throw new InvalidOperationException($"seed {Seed + 1} case {i}: {frame.Rejection}"));
                }
            }
            Assert.Null(decoder.Complete());
            Assert.Equal(envelopes, decoded);
        }
    }

    [Fact]
    public void Pooled_frames_decode_to_the_same_envelopes_and_rejections_as_ordinary_ones()
    {
        // Every frame of 16 bytes or more goes through the pooled buffer and the copy-free blob-chunk parser.
        var random = new Random(Seed + 2);
        var corpus = Enumerable.Range(0, 64).Select(i => FrameWriter.Encode(RandomEnvelope(random, i))).ToArray();
        var leased = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var (mutation, input) = i % 4 == 0 ? ("none", corpus[random.Next(corpus.Length)]) : Mutate(random, corpus);
            var ordinary = DecodeAll(new FrameDecoder(FrameBytesMax), input, 1 + random.Next(input.Length + 1), ref leased);
            var pooled = DecodeAll(new FrameDecoder(FrameBytesMax, pooledFrameBytesMin: 16), input, 1 + random.Next(input.Length + 1), ref leased);
            Assert.True(ordinary.SequenceEqual(pooled), $"seed {Seed + 2} case {i} ({mutation}): [{string.Join(", ", ordinary)}] vs [{string.Join(", ", pooled)}]");
        }
        // The copy-free blob-chunk parser took part (a lease is only handed out by it).
        Assert.True(leased > 1000, $"only {leased} frames went through the copy-free parser");
    }

    private static List<string> DecodeAll(FrameDecoder decoder, byte[] input, int piece, ref int leased)
    {
        var outcomes = new List<string>();
        for (var at = 0; at < input.Length; at += piece)
        {
            decoder.Feed(input.AsSpan(at, Math.Min(piece, input.Length - at)));
            while (decoder.Next() is { } frame)
            {
                outcomes.Add(frame.Envelope?.ToString() ?? frame.Rejection!.Kind.ToString());
                if (frame.Lease is { } lease)
                {
                    leased++;
                    lease.Dispose();
                }
            }
        }
        outcomes.Add(decoder.Complete()?.Kind.ToString() ?? "complete");
        return outcomes;
    }

    /// <summary>Feeds the input in random pieces; returns "Accepted" if all frames were envelopes, else the rejection.</summary>
    private static string Decode(Random random, byte[] input)
    {
        var decoder = new FrameDecoder(FrameBytesMax);
        foreach (var piece in Split(random, input))
        {
            decoder.Feed(piece.Span);
            while (decoder.Next() is { } frame)
            {
                Assert.True((frame.Envelope is null) != (frame.Rejection is null), "a frame is exactly one of envelope or rejection");
                if (frame.Rejection is not null)
                {
                    Assert.Null(decoder.Next());
                    return frame.Rejection.Kind.ToString();
                }
            }
            Assert.InRange(decoder.BufferedBytes, 0, FrameBytesMax + FrameDecoder.PrefixBytes + input.Length);
        }
        return decoder.Complete()?.Kind.ToString() ?? "Accepted";
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Split(Random random, byte[] input)
    {
        for (var position = 0; position < input.Length;)
        {
            var length = Math.Min(input.Length - position, random.Next(1, 300));
            yield return input.AsMemory(position, length);
            position += length;
        }
    }

    private static (string Mutation, byte[] Input) Mutate(Random random, byte[][] corpus)
    {
        var original = corpus[random.Next(corpus.Length)];
        var bytes = (byte[])original.Clone();
        switch (random.Next(8))
        {
            case 0:
                return ("random", RandomBytes(random, random.Next(0, 600)));
            case 1:
                for (var flips = random.Next(1, 8); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }
                return ("bitflip", bytes);
            case 2:
                return ("truncate", bytes[..random.Next(bytes.Length)]);
            case 3:
                BinaryPrimitives.WriteUInt32BigEndian(bytes, random.Next(4) switch
                {
                    0 => 0u,
                    1 => (uint)random.Next(FrameBytesMax + 1, int.MaxValue),
                    2 => uint.MaxValue,
                    _ => (uint)random.Next(1, bytes.Length + 8),
                });
                return ("length", bytes);
            case 4:
                var other = corpus[random.Next(corpus.Length)];
                return ("splice", [.. bytes[..random.Next(bytes.Length)], .. other[random.Next(other.Length)..]]);
            case 5:
                var body = RandomBytes(random, random.Next(1, 200));
                var framed = new byte[body.Length + 4];
                BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)body.Length);
                body.CopyTo(framed, 4);
                return ("random-body", framed);
            case 6:
                for (var n = random.Next(1, 6); n > 0; n--)
                {
                    bytes[random.Next(4, bytes.Length)] = (byte)random.Next(256);
                }
                return ("body-bytes", bytes);
            default:
                return ("valid", [.. original, .. corpus[random.Next(corpus.Length)]]);
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static Envelope RandomEnvelope(Random random, int i)
    {
        var envelope = new Envelope { From = $"n{random.Next(100)}", Sequence = (ulong)random.NextInt64(1, long.MaxValue), ToActorPath = $"/user/a{i}" };
        switch (random.Next(5))
        {
            case 0:
                envelope.Actor = new ActorMessage { TypeUrl = "t", Body = ByteString.CopyFrom(RandomBytes(random, random.Next(0, 400))) };
                envelope.Signature = ByteString.CopyFrom(RandomBytes(random, 64));
                break;
            case 1:
                envelope.Heartbeat = new Heartbeat { Nonce = (ulong)random.NextInt64(), Reply = random.Next(2) == 0 };
                break;
            case 2:
                envelope.BlobRequest = new BlobRequest { Hash = new string('a', 64), Offset = (ulong)random.Next() };
                break;
            case 3:
                envelope.BlobChunk = new BlobChunk { Hash = new string('b', 64), Offset = 7, TotalBytes = 900, Data = ByteString.CopyFrom(RandomBytes(random, random.Next(0, 800))), Last = true };
                break;
            default:
                envelope.BlobError = new BlobError { Hash = new string('c', 64), Reason = "not in the store" };
                break;
        }
        return envelope;
    }
}
