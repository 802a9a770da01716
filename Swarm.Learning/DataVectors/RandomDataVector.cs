using Swarm.Learning.Data.Partitioning;
using Swarm.Learning.Training;

namespace Swarm.Learning.DataVectors;

/// <summary>
/// The control of Tian et al. (arXiv 2408.13038): a vector of random direction with the same size as a real data
/// vector, layer by layer. For every layout entry the values are independent standard normal draws scaled to the
/// Euclidean norm of τ on that entry, so the random vector moves each layer as far as fine-tuning did but in no
/// learned direction. Seeded (<see cref="SeededRandom"/>): the same seed gives the same vector.
/// </summary>
public static class RandomDataVector
{
    public static DataVector Like(DataVector vector, ParameterLayout layout, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(vector);
        ArgumentNullException.ThrowIfNull(layout);
        if (vector.Delta.Length != layout.TotalLength)
        {
            throw new ArgumentException($"the vector has {vector.Delta.Length} values, the layout {layout.TotalLength}", nameof(vector));
        }
        var random = new SeededRandom(seed);
        var delta = new float[vector.Delta.Length];
        foreach (var entry in layout.Entries)
        {
            var target = vector.Delta.AsSpan((int)entry.Offset, (int)entry.Length);
            var draw = delta.AsSpan((int)entry.Offset, (int)entry.Length);
            double norm = 0;
            double drawNorm = 0;
            for (var i = 0; i < draw.Length; i++)
            {
                norm += (double)target[i] * target[i];
                var g = random.NextGaussian();
                draw[i] = (float)g;
                drawNorm += g * g;
            }
            var scale = drawNorm > 0 ? Math.Sqrt(norm / drawNorm) : 0;
            for (var i = 0; i < draw.Length; i++)
            {
                draw[i] = (float)(draw[i] * scale);
            }
        }
        return new DataVector(vector.Site, vector.BaseHash, vector.SampleCount, vector.Sequence, delta);
    }

    /// <summary>Euclidean norm of the vector over one layout entry.</summary>
    public static double Norm(ReadOnlySpan<float> delta, ParameterEntry entry)
    {
        double sum = 0;
        foreach (var v in delta.Slice((int)entry.Offset, (int)entry.Length))
        {
            sum += (double)v * v;
        }
        return Math.Sqrt(sum);
    }
}
