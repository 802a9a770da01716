using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Swarm.Tests.Privacy;

/// <summary>What the privacy tests use to say "a curious party learns nothing" of bytes it sees: a χ² test of the
/// byte histogram against uniform, and the correlation of what it reads with the secret.</summary>
internal static class Uniformity
{
    /// <summary>χ² with 255 degrees of freedom at p = 0.001.</summary>
    public const double ChiSquare255Critical = 330.5;

    public static double ChiSquareOfBytes(ReadOnlySpan<byte> bytes)
    {
        var counts = new long[256];
        foreach (var b in bytes)
        {
            counts[b]++;
        }
        var expected = bytes.Length / 256.0;
        return counts.Sum(c => (c - expected) * (c - expected) / expected);
    }

    public static double ChiSquareOfBytes(ulong[] words) => ChiSquareOfBytes(MemoryMarshal.AsBytes(words.AsSpan()));

    /// <summary>Pearson's r.</summary>
    public static double Correlation(double[] x, double[] y)
    {
        var (mx, my) = (x.Average(), y.Average());
        var cov = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        var vx = x.Sum(a => (a - mx) * (a - mx));
        var vy = y.Sum(b => (b - my) * (b - my));
        return cov / Math.Sqrt(vx * vy);
    }

    /// <summary>Pearson's r of two byte strings read as little-endian signed 64-bit words.</summary>
    public static double Correlation(byte[] a, byte[] b) => Correlation(Words(a), Words(b));

    private static double[] Words(byte[] bytes) =>
        Enumerable.Range(0, bytes.Length / 8).Select(i => (double)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8))).ToArray();
}
