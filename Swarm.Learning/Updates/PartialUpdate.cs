namespace Swarm.Learning.Updates;

/// <summary>
/// Selects the share of an update that leaves the site: the top-θ fraction of coordinates by magnitude, as in
/// distributed selective SGD (Shokri &amp; Shmatikov, "Privacy-Preserving Deep Learning", CCS 2015, §4). The rest
/// of the update stays local.
/// </summary>
public static class PartialUpdate
{
    /// <summary>
    /// Keeps the ⌈θ·n⌉ coordinates of largest |Δ| (at least one when n &gt; 0). Ties are broken by the lower
    /// index, so the selection is the same on every machine.
    /// </summary>
    public static SparseUpdate SelectTop(ReadOnlySpan<float> delta, double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the shared fraction θ must be in (0, 1]");
        }
        var n = delta.Length;
        var keep = KeepCount(fraction, n);
        if (keep == n)
        {
            return SparseUpdate.Dense(delta);
        }

        var threshold = KthLargestMagnitude(delta, keep);
        var above = 0;
        foreach (var v in delta)
        {
            if (MathF.Abs(v) > threshold)
            {
                above++;
            }
        }
        var tiesToTake = keep - above;
        var indices = new int[keep];
        var values = new float[keep];
        var k = 0;
        for (var i = 0; i < n; i++)
        {
            var magnitude = MathF.Abs(delta[i]);
            var take = magnitude > threshold || (magnitude == threshold && tiesToTake-- > 0);
            if (take)
            {
                indices[k] = i;
                values[k] = delta[i];
                k++;
            }
        }
        return SparseUpdate.Create(n, indices, values);
    }

    /// <summary>How many of <paramref name="n"/> coordinates the top-θ share keeps: ⌈θ·n⌉, at least one when
    /// n &gt; 0.</summary>
    public static int KeepCount(double fraction, int n) => n == 0 ? 0 : Math.Clamp((int)Math.Ceiling(fraction * n), 1, n);

    private static float KthLargestMagnitude(ReadOnlySpan<float> delta, int k)
    {
        var magnitudes = new float[delta.Length];
        for (var i = 0; i < magnitudes.Length; i++)
        {
            var v = delta[i];
            if (!float.IsFinite(v))
            {
                throw new InvalidUpdateException($"update value at coordinate {i} is not finite ({v})");
            }
            magnitudes[i] = MathF.Abs(v);
        }
        return Select(magnitudes, magnitudes.Length - k);
    }

    // Hoare-style quickselect with a median-of-three pivot: the element of rank `rank` in ascending order.
    private static float Select(float[] a, int rank)
    {
        int lo = 0, hi = a.Length - 1;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var pivot = MedianOfThree(a[lo], a[mid], a[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot)
                {
                    i++;
                }
                while (a[j] > pivot)
                {
                    j--;
                }
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            if (rank <= j)
            {
                hi = j;
            }
            else if (rank >= i)
            {
                lo = i;
            }
            else
            {
                return a[rank];
            }
        }
        return a[rank];
    }

    private static float MedianOfThree(float a, float b, float c) =>
        MathF.Max(MathF.Min(a, b), MathF.Min(MathF.Max(a, b), c));
}
