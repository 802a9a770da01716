using Swarm.Learning.Training;

namespace Swarm.Learning.DataVectors;

/// <summary>
/// Pools the BatchNorm statistics that sites re-estimated for a merged model. Adding data vectors moves the weights
/// that feed every BatchNorm layer, so the pre-trained model's running statistics no longer describe its inputs
/// (Tian et al., arXiv 2408.13038, restore them after merging). Each site runs the merged model over its own images
/// and reports per-channel means m_j and variances v_j with its count n_j; the pooled moments are those of all the
/// images together: m = Σ n_j m_j / N and v = Σ n_j (v_j + (m_j − m)²) / N (the within-site variances plus the spread
/// of the site means). Computed in double over the sites in ordinal order of their id, rounded once to float32, so
/// every replica gets the same bits. A model without BatchNorm (smallcnn, resnet18-gn) has nothing to pool.
/// </summary>
public static class BatchNormMoments
{
    public const string MeanSuffix = ".running_mean";
    public const string VarianceSuffix = ".running_var";

    /// <summary>The (running mean, running variance) entry pairs of <paramref name="layout"/>.</summary>
    public static IReadOnlyList<(ParameterEntry Mean, ParameterEntry Variance)> Pairs(ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var byName = layout.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var pairs = new List<(ParameterEntry, ParameterEntry)>();
        foreach (var mean in layout.Entries.Where(e => !e.Trainable && e.Name.EndsWith(MeanSuffix, StringComparison.Ordinal)))
        {
            var stem = mean.Name[..^MeanSuffix.Length];
            if (byName.TryGetValue(stem + VarianceSuffix, out var variance) && variance.Length == mean.Length)
            {
                pairs.Add((mean, variance));
            }
        }
        return pairs;
    }

    /// <summary>The merged model with its BatchNorm running statistics replaced by the sites' pooled moments.
    /// Every site must have re-estimated this very model: its trainable part must equal
    /// <paramref name="merged"/>'s, or it is refused with an <see cref="ArgumentException"/> naming the site.</summary>
    public static float[] Pool(ParameterLayout layout, ReadOnlySpan<float> merged, IReadOnlyList<SiteMoments> sites)
    {
        ArgumentNullException.ThrowIfNull(sites);
        if (merged.Length != layout.TotalLength)
        {
            throw new ArgumentException($"the merged model has {merged.Length} parameters, the layout {layout.TotalLength}", nameof(merged));
        }
        var ordered = sites.OrderBy(s => s.Site, StringComparer.Ordinal).ToList();
        if (ordered.Count == 0)
        {
            throw new ArgumentException("no site re-estimated the statistics", nameof(sites));
        }
        var trainable = (int)layout.TrainableLength;
        foreach (var site in ordered)
        {
            if (site.SampleCount < 1 || site.Parameters.Length != merged.Length
                || !site.Parameters.AsSpan(0, trainable).SequenceEqual(merged[..trainable]))
            {
                throw new ArgumentException(
                    $"site {site.Site}'s statistics are not of this merged model or rest on no samples", nameof(sites));
            }
        }
        var result = merged.ToArray();
        double total = ordered.Sum(s => (double)s.SampleCount);
        foreach (var (meanEntry, varianceEntry) in Pairs(layout))
        {
            for (var c = 0; c < meanEntry.Length; c++)
            {
                var mi = (int)(meanEntry.Offset + c);
                var vi = (int)(varianceEntry.Offset + c);
                double mean = 0;
                foreach (var s in ordered)
                {
                    mean += s.SampleCount * (double)s.Parameters[mi];
                }
                mean /= total;
                double variance = 0;
                foreach (var s in ordered)
                {
                    var d = s.Parameters[mi] - mean;
                    variance += s.SampleCount * (s.Parameters[vi] + d * d);
                }
                result[mi] = (float)mean;
                result[vi] = (float)(variance / total);
            }
        }
        return result;
    }
}
