namespace Swarm.Learning.Aggregation;

/// <summary>
/// A round's updates, checked and put in canonical order (ordinal site id), with a per-coordinate walk over the
/// values that the sites shared.
/// </summary>
internal sealed class RoundUpdates
{
    private RoundUpdates(SiteUpdate[] sites, int length)
    {
        Sites = sites;
        Length = length;
    }

    public SiteUpdate[] Sites { get; }

    public int Length { get; }

    public static RoundUpdates From(IReadOnlyList<SiteUpdate> updates)
    {
        if (updates.Count == 0)
        {
            throw new ArgumentException("a round needs at least one update", nameof(updates));
        }
        var sites = updates.OrderBy(u => u.SiteId, StringComparer.Ordinal).ToArray();
        var length = sites[0].Update.Length;
        for (var i = 0; i < sites.Length; i++)
        {
            var site = sites[i];
            if (site.Update.Length != length)
            {
                throw new ArgumentException(
                    $"update of site '{site.SiteId}' has {site.Update.Length} coordinates, expected {length}", nameof(updates));
            }
            if (site.SampleCount <= 0)
            {
                throw new ArgumentException($"update of site '{site.SiteId}' has no samples ({site.SampleCount})", nameof(updates));
            }
            if (i > 0 && string.Equals(sites[i - 1].SiteId, site.SiteId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"site '{site.SiteId}' sent two updates in one round", nameof(updates));
            }
        }
        return new RoundUpdates(sites, length);
    }

    /// <summary>
    /// Calls <paramref name="reduce"/> once per coordinate with the values shared for it (in site order) and the
    /// positions of the sites that shared them; the reducer's result is stored as that coordinate's aggregate.
    /// Coordinates that fewer than <paramref name="sharersMin"/> sites shared (none, by default) are left at zero:
    /// the global model keeps its value there.
    /// </summary>
    public float[] ReduceCoordinates(CoordinateReducer reduce, int sharersMin = 1)
    {
        var delta = new float[Length];
        var cursors = new int[Sites.Length];
        var values = new float[Sites.Length];
        var sharers = new int[Sites.Length];
        for (var j = 0; j < Length; j++)
        {
            var count = 0;
            for (var s = 0; s < Sites.Length; s++)
            {
                var update = Sites[s].Update;
                var c = cursors[s];
                if (c < update.Count && update.Indices[c] == j)
                {
                    values[count] = update.Values[c];
                    sharers[count] = s;
                    count++;
                    cursors[s] = c + 1;
                }
            }
            if (count > 0 && count >= sharersMin)
            {
                // Adding +0 turns a -0 into +0, so equal aggregates always have equal bytes and equal hashes.
                delta[j] = reduce(values.AsSpan(0, count), sharers.AsSpan(0, count)) + 0f;
            }
        }
        return delta;
    }

    /// <summary>The coordinates every update of the round shared, ascending.</summary>
    public int[] CommonSupport()
    {
        var counts = new int[Length];
        foreach (var site in Sites)
        {
            foreach (var index in site.Update.Indices)
            {
                counts[index]++;
            }
        }
        var common = new List<int>();
        for (var j = 0; j < Length; j++)
        {
            if (counts[j] == Sites.Length)
            {
                common.Add(j);
            }
        }
        return [.. common];
    }

    /// <summary>Site <paramref name="s"/>'s values on <paramref name="support"/> (coordinates it shared, ascending).</summary>
    public float[] ValuesOn(int s, int[] support)
    {
        var update = Sites[s].Update;
        var values = new float[support.Length];
        var c = 0;
        for (var k = 0; k < support.Length; k++)
        {
            while (update.Indices[c] != support[k])
            {
                c++;
            }
            values[k] = update.Values[c];
        }
        return values;
    }

    /// <summary>Each site's weight, in site order.</summary>
    public IReadOnlyList<SiteWeight> Weights(Func<int, double> weightOf) =>
        Sites.Select((site, s) => new SiteWeight(site.SiteId, weightOf(s))).ToArray();
}

/// <summary>Reduces the values shared for one coordinate (and which sites shared them) to one value.</summary>
internal delegate float CoordinateReducer(Span<float> values, ReadOnlySpan<int> sites);
