using System.Numerics;

namespace Swarm.Learning.Privacy.SecureAggregation;

/// <summary>Shamir t-of-n secret sharing (Shamir, "How to share a secret", CACM 1979) of 32-byte secrets over the
/// prime field GF(2^521 − 1), a Mersenne prime larger than any 256-bit secret, so a secret is one field element.
/// Holder h gets the point (h + 1, P(h + 1)) of a random polynomial P of degree t − 1 with P(0) = secret; any t
/// points give P(0) by Lagrange interpolation, and fewer than t reveal nothing about it (every secret is equally
/// consistent with them).</summary>
public static class ShamirSharing
{
    /// <summary>Bytes of one share's value: a field element below 2^521, little-endian.</summary>
    public const int ShareBytes = 66;

    /// <summary>Bytes of a secret.</summary>
    public const int SecretBytes = 32;

    private static readonly BigInteger Prime = (BigInteger.One << 521) - 1;

    /// <summary>One share per holder in <paramref name="holders"/> (site indices) for threshold
    /// <paramref name="threshold"/>; <paramref name="coefficientBytes"/> supplies the random coefficients
    /// (threshold − 1 blocks of <see cref="ShareBytes"/> + 8 bytes, reduced mod p: the bias is below 2^−64).</summary>
    public static IReadOnlyDictionary<int, byte[]> Split(
        ReadOnlySpan<byte> secret, IReadOnlyList<int> holders, int threshold, ReadOnlySpan<byte> coefficientBytes)
    {
        if (secret.Length != SecretBytes)
        {
            throw new ArgumentException($"a secret is {SecretBytes} bytes", nameof(secret));
        }
        if (threshold < 1 || threshold > holders.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"must be in [1, {holders.Count}]");
        }
        if (coefficientBytes.Length < CoefficientBytes(threshold))
        {
            throw new ArgumentException($"{CoefficientBytes(threshold)} random bytes are needed", nameof(coefficientBytes));
        }
        var coefficients = new BigInteger[threshold];
        coefficients[0] = new BigInteger(secret, isUnsigned: true);
        var block = ShareBytes + 8;
        for (var c = 1; c < threshold; c++)
        {
            coefficients[c] = new BigInteger(coefficientBytes.Slice((c - 1) * block, block), isUnsigned: true) % Prime;
        }
        var shares = new Dictionary<int, byte[]>(holders.Count);
        foreach (var holder in holders)
        {
            shares[holder] = ToBytes(Evaluate(coefficients, new BigInteger(holder + 1)));
        }
        return shares;
    }

    /// <summary>The random bytes <see cref="Split"/> needs for threshold <paramref name="threshold"/>.</summary>
    public static int CoefficientBytes(int threshold) => (threshold - 1) * (ShareBytes + 8);

    /// <summary>The secret from exactly the given shares (holder index → share), or null when a share is not a
    /// field element or the interpolated value is not a 32-byte secret (so the shares are inconsistent).</summary>
    public static byte[]? Reconstruct(IReadOnlyList<(int Holder, byte[] Share)> shares)
    {
        var points = new List<(BigInteger X, BigInteger Y)>(shares.Count);
        foreach (var (holder, share) in shares)
        {
            if (share.Length != ShareBytes)
            {
                return null;
            }
            var y = new BigInteger(share, isUnsigned: true);
            if (y >= Prime)
            {
                return null;
            }
            points.Add((new BigInteger(holder + 1), y));
        }
        if (points.Select(p => p.X).Distinct().Count() != points.Count)
        {
            return null;
        }
        var secret = InterpolateAtZero(points);
        if (secret.GetByteCount(isUnsigned: true) > SecretBytes)
        {
            return null;
        }
        var bytes = new byte[SecretBytes];
        secret.TryWriteBytes(bytes, out _, isUnsigned: true);
        return bytes;
    }

    private static BigInteger Evaluate(BigInteger[] coefficients, BigInteger x)
    {
        var result = BigInteger.Zero;
        for (var c = coefficients.Length - 1; c >= 0; c--)
        {
            result = ((result * x) + coefficients[c]) % Prime;
        }
        return result;
    }

    /// <summary>P(0) = Σ y_j·Π_{m≠j} x_m/(x_m − x_j), inverses by Fermat's little theorem.</summary>
    private static BigInteger InterpolateAtZero(List<(BigInteger X, BigInteger Y)> points)
    {
        var result = BigInteger.Zero;
        for (var j = 0; j < points.Count; j++)
        {
            var numerator = BigInteger.One;
            var denominator = BigInteger.One;
            for (var m = 0; m < points.Count; m++)
            {
                if (m != j)
                {
                    numerator = numerator * points[m].X % Prime;
                    denominator = denominator * Mod(points[m].X - points[j].X) % Prime;
                }
            }
            var weight = numerator * BigInteger.ModPow(denominator, Prime - 2, Prime) % Prime;
            result = (result + (points[j].Y * weight)) % Prime;
        }
        return result;
    }

    private static BigInteger Mod(BigInteger value) => ((value % Prime) + Prime) % Prime;

    private static byte[] ToBytes(BigInteger value)
    {
        var bytes = new byte[ShareBytes];
        value.TryWriteBytes(bytes, out _, isUnsigned: true);
        return bytes;
    }
}
