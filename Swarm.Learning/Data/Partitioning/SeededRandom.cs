namespace Swarm.Learning.Data.Partitioning;

/// <summary>A seeded xoshiro256** generator (Blackman and Vigna, "Scrambled linear pseudorandom number
/// generators", 2021) with its state expanded from the seed by SplitMix64, as its authors recommend. We use our
/// own generator rather than <see cref="System.Random"/> because its sequence for a seed is not promised across
/// .NET versions, and simulations must replay from their seed on every machine. The integer stream, shuffles
/// and bounded integers are exact everywhere; Gamma and normal draws also go through Math.Log, Math.Pow and
/// Math.Sqrt, which .NET computes alike on its supported platforms in practice but does not promise to the last
/// bit.</summary>
public sealed class SeededRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public SeededRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in (0, 1), safe to take the logarithm of.</summary>
    public double NextOpenDouble() => ((NextUInt64() >> 12) + 0.5) * (1.0 / (1UL << 52));

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias (Lemire 2019,
    /// "Fast random integer generation in an interval").</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        var range = (ulong)bound;
        var product = (UInt128)NextUInt64() * range;
        var low = (ulong)product;
        if (low < range)
        {
            var threshold = (0UL - range) % range;
            while (low < threshold)
            {
                product = (UInt128)NextUInt64() * range;
                low = (ulong)product;
            }
        }
        return (int)(product >> 64);
    }

    /// <summary>A standard normal sample (Marsaglia's polar method).</summary>
    public double NextGaussian()
    {
        while (true)
        {
            var u = (2.0 * NextDouble()) - 1.0;
            var v = (2.0 * NextDouble()) - 1.0;
            var s = (u * u) + (v * v);
            if (s > 0.0 && s < 1.0)
            {
                return u * Math.Sqrt(-2.0 * Math.Log(s) / s);
            }
        }
    }

    /// <summary>A Gamma(<paramref name="shape"/>, 1) sample by Marsaglia and Tsang, "A simple method for
    /// generating gamma variables" (ACM TOMS 26(3), 2000); shapes below 1 use their boost
    /// Gamma(a) = Gamma(a + 1)·U^(1/a).</summary>
    public double NextGamma(double shape)
    {
        if (!(shape > 0.0) || double.IsInfinity(shape))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "gamma shape must be positive and finite");
        }
        if (shape < 1.0)
        {
            var boost = Math.Pow(NextOpenDouble(), 1.0 / shape);
            return NextGamma(shape + 1.0) * boost;
        }
        var d = shape - (1.0 / 3.0);
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextGaussian();
                v = 1.0 + (c * x);
            }
            while (v <= 0.0);
            v = v * v * v;
            var u = NextOpenDouble();
            if (u < 1.0 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1.0 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    /// <summary>A draw from the symmetric Dirichlet(<paramref name="alpha"/>) over <paramref name="count"/>
    /// outcomes: normalized independent Gamma(α) samples.</summary>
    public double[] NextDirichlet(double alpha, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var sample = new double[count];
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            sample[i] = NextGamma(alpha);
            sum += sample[i];
        }
        if (sum <= 0.0)
        {
            // With a tiny α every gamma draw can underflow to zero; the limit of Dir(α→0) puts all mass on one outcome.
            Array.Clear(sample);
            sample[NextInt(count)] = 1.0;
            return sample;
        }
        for (var i = 0; i < count; i++)
        {
            sample[i] /= sum;
        }
        return sample;
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>A random permutation of 0..<paramref name="count"/>-1.</summary>
    public int[] Permutation(int count)
    {
        var values = new int[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = i;
        }
        Shuffle<int>(values);
        return values;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
