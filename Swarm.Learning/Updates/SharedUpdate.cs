using Swarm.Learning.Training;

namespace Swarm.Learning.Updates;

/// <summary>The update a site publishes when some layers stay local (FedPer): the top-θ share is chosen among
/// the shared coordinates only, so no coordinate of a local layer is ever in the published update, not even as a
/// zero.</summary>
public static class SharedUpdate
{
    /// <summary>
    /// The ⌈θ·m⌉ largest-magnitude coordinates of <paramref name="delta"/> among its m shared coordinates (as
    /// <see cref="PartialUpdate.SelectTop"/>, ties to the lower index). With an empty mask this is exactly
    /// <see cref="PartialUpdate.SelectTop"/>.
    /// </summary>
    public static SparseUpdate SelectTop(ReadOnlySpan<float> delta, double fraction, LocalLayerMask local)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (delta.Length != local.TotalLength)
        {
            throw new ArgumentException($"update has {delta.Length} coordinates, the local layer mask is for {local.TotalLength}");
        }
        if (local.IsEmpty)
        {
            return PartialUpdate.SelectTop(delta, fraction);
        }
        var shared = local.SharedIndices();
        var compact = new float[shared.Length];
        for (var i = 0; i < shared.Length; i++)
        {
            compact[i] = delta[shared[i]];
        }
        var top = PartialUpdate.SelectTop(compact, fraction);
        var indices = new int[top.Count];
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = shared[top.Indices[i]];
        }
        return SparseUpdate.Create(delta.Length, indices, top.Values);
    }
}
