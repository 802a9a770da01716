using Swarm.Learning.Updates;

namespace Swarm.Learning.DataVectors;

/// <summary>
/// The latest data vector of every site for one pre-trained model: the state a merge reads. A vector is checked
/// before it counts: it must name this pool's pre-trained model, cover exactly its parameters, rest on at least
/// one sample, hold only finite values, and carry a sequence number above the site's previous one (a later vector
/// replaces the earlier; an equal or lower one is stale). Pure and deterministic: the same publications in the same
/// order give the same pool everywhere.
/// </summary>
public sealed class DataVectorPool
{
    private readonly SortedDictionary<string, DataVector> _latest = new(StringComparer.Ordinal);

    public DataVectorPool(ReadOnlySpan<float> pretrained)
    {
        BaseHash = ModelDigest.Hex(pretrained);
        Length = pretrained.Length;
    }

    public DataVectorPool(string baseHash, int length)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseHash);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        BaseHash = baseHash;
        Length = length;
    }

    public string BaseHash { get; }

    /// <summary>Parameters of the pre-trained model, so of every vector.</summary>
    public int Length { get; }

    /// <summary>The counting vectors, one per site, in ordinal order of site id (the merge's summation order).</summary>
    public IReadOnlyList<DataVector> Vectors => [.. _latest.Values];

    public int Count => _latest.Count;

    /// <summary>The check <see cref="Publish"/> makes, without changing the pool: null when the vector would count.</summary>
    public string? Problem(DataVector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (!string.Equals(vector.BaseHash, BaseHash, StringComparison.OrdinalIgnoreCase))
        {
            return $"site {vector.Site}'s vector was taken from pre-trained model {Short(vector.BaseHash)}, this merge is over {Short(BaseHash)}";
        }
        if (vector.Delta.Length != Length)
        {
            return $"site {vector.Site}'s vector has {vector.Delta.Length} values, the pre-trained model {Length} parameters";
        }
        if (vector.SampleCount < 1)
        {
            return $"site {vector.Site}'s vector declares {vector.SampleCount} training samples (at least 1)";
        }
        if (_latest.TryGetValue(vector.Site, out var earlier) && vector.Sequence <= earlier.Sequence)
        {
            return $"site {vector.Site}'s vector has sequence {vector.Sequence}, not above its counting vector's {earlier.Sequence}";
        }
        var bad = Array.FindIndex(vector.Delta, v => !float.IsFinite(v));
        return bad >= 0 ? $"site {vector.Site}'s vector holds {vector.Delta[bad]} at index {bad}" : null;
    }

    /// <summary>Adds the site's vector, or replaces its earlier one, or refuses it with the reason.</summary>
    public PublishOutcome Publish(DataVector vector)
    {
        if (Problem(vector) is { } problem)
        {
            return PublishOutcome.Refused(problem);
        }
        var replaced = _latest.ContainsKey(vector.Site);
        _latest[vector.Site] = vector;
        return replaced ? PublishOutcome.Replaced : PublishOutcome.Added;
    }

    /// <summary>The site's counting vector, or null.</summary>
    public DataVector? Of(string site) => _latest.GetValueOrDefault(site);

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
