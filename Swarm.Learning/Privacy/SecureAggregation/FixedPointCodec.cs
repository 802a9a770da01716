namespace Swarm.Learning.Privacy.SecureAggregation;

/// <summary>Fixed-point encoding of float updates into Z_2^64, the ring in which masks cancel (Bonawitz et al.,
/// CCS 2017, §3: inputs are vectors over Z_R; we take R = 2^64 so that wrap-around is the CPU's own).
/// A value x becomes round(x·2^f) as a two's-complement 64-bit word. The sum of n encodings decodes correctly as
/// long as the true sum stays inside the signed range: n·MaxAbsValue·2^f &lt; 2^63. With the defaults
/// (f = 24, so a resolution of 2^−24 ≈ 6·10^−8, and |x| ≤ 2^20) that holds for n ≤ 2^19 sites.</summary>
public sealed record FixedPointCodec
{
    /// <summary>The defaults: f = 24 fractional bits, |x| ≤ 2^20 (clipped DP-SGD updates are far smaller).</summary>
    public static FixedPointCodec Default { get; } = new(24, 1 << 20);

    public FixedPointCodec(int fractionalBits, double maxAbsValue)
    {
        if (fractionalBits is < 0 or > 52)
        {
            throw new ArgumentOutOfRangeException(nameof(fractionalBits), fractionalBits, "must be in [0, 52]");
        }
        if (!(maxAbsValue > 0.0) || maxAbsValue * Math.ScaleB(1.0, fractionalBits) >= Math.ScaleB(1.0, 62))
        {
            throw new ArgumentOutOfRangeException(nameof(maxAbsValue), maxAbsValue, "must be positive and leave headroom below 2^62");
        }
        FractionalBits = fractionalBits;
        MaxAbsValue = maxAbsValue;
    }

    /// <summary>f: values are scaled by 2^f before rounding.</summary>
    public int FractionalBits { get; }

    /// <summary>The largest |x| a site may contribute; larger values are refused, not clipped silently.</summary>
    public double MaxAbsValue { get; }

    /// <summary>The most sites whose sum cannot leave the signed 64-bit range: ⌊(2^63 − 1)/(MaxAbsValue·2^f)⌋.</summary>
    public long SitesMax => (long)Math.Floor(Math.ScaleB(1.0, 63) / (MaxAbsValue * Math.ScaleB(1.0, FractionalBits)));

    /// <summary>The encoding of <paramref name="values"/>, or the index of the first value that is not finite or
    /// exceeds <see cref="MaxAbsValue"/>.</summary>
    public bool TryEncode(ReadOnlySpan<float> values, Span<ulong> encoded, out int badIndex)
    {
        var scale = Math.ScaleB(1.0, FractionalBits);
        for (var i = 0; i < values.Length; i++)
        {
            double value = values[i];
            if (!(Math.Abs(value) <= MaxAbsValue))
            {
                badIndex = i;
                return false;
            }
            encoded[i] = unchecked((ulong)(long)Math.Round(value * scale, MidpointRounding.ToEven));
        }
        badIndex = -1;
        return true;
    }

    /// <summary>The real number a ring element stands for, reading it as a signed 64-bit count of 2^−f.</summary>
    public double Decode(ulong encoded) => Math.ScaleB(unchecked((long)encoded), -FractionalBits);

    /// <summary>Decodes a whole vector (a sum of encodings).</summary>
    public double[] Decode(ReadOnlySpan<ulong> encoded)
    {
        var result = new double[encoded.Length];
        for (var i = 0; i < encoded.Length; i++)
        {
            result[i] = Decode(encoded[i]);
        }
        return result;
    }
}
