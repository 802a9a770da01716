using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Swarm.Learning.Privacy.SecureAggregation;

/// <summary>The pseudorandom generator that expands a 32-byte seed into a mask over Z_2^64 (Bonawitz et al. §3,
/// "PRG"): AES-256 in counter mode, computed as AES-ECB over a buffer of counter blocks, which is the CTR
/// keystream by definition (NIST SP 800-38A §6.5) and lets the runtime use AES-NI on whole buffers.</summary>
public static class MaskGenerator
{
    /// <summary>Counter blocks encrypted per call into the cipher; bounds the scratch memory at 64 KiB.</summary>
    private const int BlocksPerChunk = 4096;

    private const int BlockBytes = 16;

    /// <summary>target[i] += sign·mask[i] (mod 2^64), where mask = PRG(seed) and sign is +1 or −1.</summary>
    public static void Apply(Span<ulong> target, ReadOnlySpan<byte> seed, int sign)
    {
        if (seed.Length != 32)
        {
            throw new ArgumentException("a mask seed is 32 bytes", nameof(seed));
        }
        if (sign is not (1 or -1))
        {
            throw new ArgumentOutOfRangeException(nameof(sign), sign, "must be +1 or −1");
        }
        using var aes = Aes.Create();
        aes.Key = seed.ToArray();
        var counters = new byte[BlocksPerChunk * BlockBytes];
        var stream = new byte[BlocksPerChunk * BlockBytes];
        var wordsPerChunk = BlocksPerChunk * BlockBytes / sizeof(ulong);
        ulong block = 0;
        for (var offset = 0; offset < target.Length; offset += wordsPerChunk)
        {
            var words = Math.Min(wordsPerChunk, target.Length - offset);
            var blocks = (words + 1) / 2;
            var counterWords = MemoryMarshal.Cast<byte, ulong>(counters.AsSpan(0, blocks * BlockBytes));
            for (var b = 0; b < blocks; b++)
            {
                counterWords[2 * b] = block++;
                counterWords[(2 * b) + 1] = 0;
            }
            aes.EncryptEcb(counters.AsSpan(0, blocks * BlockBytes), stream.AsSpan(0, blocks * BlockBytes), PaddingMode.None);
            Combine(target.Slice(offset, words), MemoryMarshal.Cast<byte, ulong>(stream.AsSpan(0, words * sizeof(ulong))), sign);
        }
    }

    /// <summary>The mask itself (for tests and for the uniformity check).</summary>
    public static ulong[] Expand(ReadOnlySpan<byte> seed, int length)
    {
        var mask = new ulong[length];
        Apply(mask, seed, 1);
        return mask;
    }

    private static void Combine(Span<ulong> target, ReadOnlySpan<ulong> mask, int sign)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<ulong>.Count;
            var targetVectors = MemoryMarshal.Cast<ulong, Vector<ulong>>(target);
            var maskVectors = MemoryMarshal.Cast<ulong, Vector<ulong>>(mask);
            for (var v = 0; v < targetVectors.Length; v++)
            {
                targetVectors[v] = sign > 0 ? targetVectors[v] + maskVectors[v] : targetVectors[v] - maskVectors[v];
            }
            i = targetVectors.Length * width;
        }
        for (; i < target.Length; i++)
        {
            target[i] = sign > 0 ? unchecked(target[i] + mask[i]) : unchecked(target[i] - mask[i]);
        }
    }
}
