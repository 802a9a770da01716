using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace Swarm.Learning.Training;

/// <summary>Poisson samples and Gaussian draws from the operating system's CSPRNG (<see cref="RandomNumberGenerator"/>),
/// for DP-SGD's secure mode. Uniforms take 53 random bits each (every double in [0, 1) on a 2⁻⁵³ grid), Gaussians
/// come from the Box–Muller transform in double precision and are rounded to float32 once, when they are added to
/// the float32 gradient sum. Floating-point noise is not the ideal continuous Gaussian (Mironov, CCS 2012, showed
/// that textbook floating-point Laplace samplers leak through the gaps in their outputs); see docs/training.md
/// for what that leaves open.</summary>
internal static class SecureNoise
{
    private const double Unit = 1.0 / (1L << 53);

    /// <summary>The indices of a Poisson sample: each of n examples joins independently with probability
    /// <paramref name="rate"/>, decided by a 53-bit uniform compared in double precision.</summary>
    public static torch.Tensor PoissonSample(long n, double rate)
    {
        var chosen = new List<long>();
        var bits = new ulong[Math.Min(n, 1 << 16)];
        for (long start = 0; start < n; start += bits.Length)
        {
            var count = (int)Math.Min(bits.Length, n - start);
            RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(bits.AsSpan(0, count)));
            for (var i = 0; i < count; i++)
            {
                if ((bits[i] >> 11) * Unit < rate)
                {
                    chosen.Add(start + i);
                }
            }
        }
        return TensorSpans.Longs(CollectionsMarshal.AsSpan(chosen));
    }

    /// <summary>Pairs of Gaussians drawn by one worker at a time: chunks of this many floats are filled in parallel
    /// (each from its own CSPRNG call; the OS generator is safe to call from several threads).</summary>
    private const int ChunkFloats = 1 << 15;

    /// <summary>Standard normal draws of the given shape (float32).</summary>
    public static torch.Tensor Gaussian(long[] shape)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[n];
        var chunks = (int)((n + ChunkFloats - 1) / ChunkFloats);
        if (chunks <= 1)
        {
            FillGaussian(values);
        }
        else
        {
            Parallel.For(0, chunks, chunk =>
            {
                var start = (long)chunk * ChunkFloats;
                FillGaussian(values.AsSpan((int)start, (int)Math.Min(ChunkFloats, n - start)));
            });
        }
        return TensorSpans.Floats(values, shape);
    }

    private static void FillGaussian(Span<float> values)
    {
        Span<ulong> bits = new ulong[values.Length + (values.Length & 1)];
        RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(bits));
        for (var i = 0; i < values.Length; i += 2)
        {
            // Box–Muller: u1 in (0, 1] so that the logarithm is finite.
            var u1 = ((bits[i] >> 11) + 1) * Unit;
            var u2 = (bits[i + 1] >> 11) * Unit;
            var radius = Math.Sqrt(-2.0 * Math.Log(u1));
            var (sin, cos) = Math.SinCos(2.0 * Math.PI * u2);
            values[i] = (float)(radius * cos);
            if (i + 1 < values.Length)
            {
                values[i + 1] = (float)(radius * sin);
            }
        }
    }
}
