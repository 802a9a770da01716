using Swarm.Learning.Updates;

namespace Swarm.Learning.DataVectors;

/// <summary>
/// θ = θ_pre + Σ_j c_j·τ_j over a pool's counting vectors (task arithmetic: Ilharco et al., ICLR 2023; data vectors:
/// Tian et al., arXiv 2408.13038), reproducible bit for bit: the coefficients c_j are computed in double and rounded
/// once to float32; the sum runs in float32, coordinate by coordinate, over the sites in ordinal order of their id,
/// starting from 0, and θ_pre is added last (θ_i = pre_i + ((0 + c_1 τ_1,i) + c_2 τ_2,i) + …); .NET does not fuse a
/// multiply and an add unless told to, so every machine rounds the same products and sums the same way. Only the
/// first <c>mergedLength</c> coordinates (the trainable prefix of a layout) are merged; the rest (float buffers such
/// as BatchNorm running statistics, which do not add like weights) are copied from θ_pre and re-estimated after the
/// merge (<see cref="BatchNormMoments"/>).
/// </summary>
public static class DataVectorMerge
{
    /// <summary>Each counting vector's coefficient c_j in the pool's order (ordinal order of site id).
    /// <paramref name="lambda"/> is the agreed λ of <see cref="MergeRule.Validated"/>; the other rules ignore it.</summary>
    public static float[] Coefficients(IReadOnlyList<DataVector> vectors, MergeRule rule, double lambda = 1.0)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (rule == MergeRule.Validated && !(double.IsFinite(lambda) && lambda >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be a finite number ≥ 0");
        }
        double total = vectors.Sum(v => (double)v.SampleCount);
        return [.. vectors.Select(v => rule switch
        {
            MergeRule.Sum => 1f,
            MergeRule.Mean => (float)(1.0 / vectors.Count),
            MergeRule.SampleWeighted => (float)(v.SampleCount / total),
            MergeRule.Validated => (float)lambda,
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown merge rule"),
        })];
    }

    /// <summary>The merged parameters from the pool's counting vectors. <paramref name="pretrained"/> must be the
    /// pool's pre-trained model (its hash is checked); <paramref name="mergedLength"/> (default: all) is the
    /// trainable prefix that is merged. With no vector the result is θ_pre.</summary>
    public static float[] Merge(ReadOnlySpan<float> pretrained, DataVectorPool pool, MergeRule rule,
        double lambda = 1.0, int mergedLength = -1)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (pretrained.Length != pool.Length || ModelDigest.Hex(pretrained) != pool.BaseHash)
        {
            throw new ArgumentException("the pre-trained parameters are not the pool's pre-trained model", nameof(pretrained));
        }
        return Merge(pretrained, pool.Vectors, Coefficients(pool.Vectors, rule, lambda), mergedLength);
    }

    /// <summary>θ_pre + Σ_j c_j·τ_j with given coefficients, the vectors in the order given (the caller fixes it;
    /// <see cref="DataVectorPool.Vectors"/> is in ordinal order of site id). Every vector must have θ_pre's length.</summary>
    public static float[] Merge(ReadOnlySpan<float> pretrained, IReadOnlyList<DataVector> vectors,
        ReadOnlySpan<float> coefficients, int mergedLength = -1)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (coefficients.Length != vectors.Count)
        {
            throw new ArgumentException($"{coefficients.Length} coefficients for {vectors.Count} vectors", nameof(coefficients));
        }
        var merged = mergedLength < 0 ? pretrained.Length : mergedLength;
        if (merged > pretrained.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(mergedLength), mergedLength,
                $"more than the model's {pretrained.Length} parameters");
        }
        var sum = new float[merged];
        for (var j = 0; j < vectors.Count; j++)
        {
            var delta = vectors[j].Delta;
            if (delta.Length != pretrained.Length)
            {
                throw new ArgumentException(
                    $"site {vectors[j].Site}'s vector has {delta.Length} values, the model {pretrained.Length}", nameof(vectors));
            }
            var c = coefficients[j];
            for (var i = 0; i < merged; i++)
            {
                sum[i] += c * delta[i];
            }
        }
        var result = pretrained.ToArray();
        for (var i = 0; i < merged; i++)
        {
            result[i] = pretrained[i] + sum[i];
        }
        return result;
    }
}
