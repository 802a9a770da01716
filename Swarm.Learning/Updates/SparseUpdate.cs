namespace Swarm.Learning.Updates;

/// <summary>
/// A model update over a flat parameter vector of <see cref="Length"/> coordinates, of which only those in
/// <see cref="Indices"/> (strictly increasing) are shared; a dense update lists every index.
/// </summary>
public sealed class SparseUpdate
{
    private SparseUpdate(int length, int[] indices, float[] values)
    {
        Length = length;
        Indices = indices;
        Values = values;
    }

    /// <summary>Number of coordinates of the full parameter vector.</summary>
    public int Length { get; }

    /// <summary>The shared coordinates, strictly increasing.</summary>
    public int[] Indices { get; }

    /// <summary>The shared values, one per index.</summary>
    public float[] Values { get; }

    /// <summary>Number of shared coordinates.</summary>
    public int Count => Indices.Length;

    /// <summary>Whether every coordinate is shared.</summary>
    public bool IsDense => Indices.Length == Length;

    /// <summary>A dense update that shares every coordinate of <paramref name="delta"/>.</summary>
    public static SparseUpdate Dense(ReadOnlySpan<float> delta) => DenseOver(delta.ToArray());

    /// <summary>A dense update over <paramref name="values"/> itself (not copied). Its indices are the process's one
    /// array 0..n − 1 for that length (<see cref="DenseIndices"/>), shared by every dense update of that length:
    /// a dense ResNet-18 update would otherwise carry 45 MB of indices, allocated anew by every decode.</summary>
    public static SparseUpdate DenseOver(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (FirstNonFinite(values) is { } at)
        {
            throw new InvalidUpdateException($"update value at coordinate {at} is not finite ({values[at]})");
        }
        return new SparseUpdate(values.Length, DenseIndices.Of(values.Length), values);
    }

    /// <summary>Builds an update after checking it; bad input (from a peer or a file) becomes an exception
    /// whose message names what is wrong.</summary>
    public static SparseUpdate Create(int length, int[] indices, float[] values)
    {
        var error = Check(length, indices, values);
        if (error is not null)
        {
            throw new InvalidUpdateException(error);
        }
        return new SparseUpdate(length, indices, values);
    }

    /// <summary>Expands the update to a dense vector with zeros on the coordinates not shared.</summary>
    public float[] ToDense()
    {
        var dense = new float[Length];
        for (var i = 0; i < Indices.Length; i++)
        {
            dense[Indices[i]] = Values[i];
        }
        return dense;
    }

    private static int? FirstNonFinite(float[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }
        return null;
    }

    private static string? Check(int length, int[] indices, float[] values)
    {
        if (length < 0)
        {
            return $"update length {length} is negative";
        }
        if (indices.Length != values.Length)
        {
            return $"update has {indices.Length} indices but {values.Length} values";
        }
        if (indices.Length > length)
        {
            return $"update shares {indices.Length} coordinates of a vector of {length}";
        }
        var previous = -1;
        for (var i = 0; i < indices.Length; i++)
        {
            var index = indices[i];
            if (index <= previous || index >= length)
            {
                return $"update index #{i} ({index}) is out of order or outside [0, {length})";
            }
            if (!float.IsFinite(values[i]))
            {
                return $"update value at coordinate {index} is not finite ({values[i]})";
            }
            previous = index;
        }
        return null;
    }
}

/// <summary>
/// The index arrays 0..n − 1 of dense updates, one per length, shared by every dense <see cref="SparseUpdate"/> of
/// that length. Shared arrays must never be written: nothing in the project writes an update's indices (an update
/// is built once and read after). Held weakly, so a length no longer in use is collected.
/// </summary>
public static class DenseIndices
{
    private static readonly Dictionary<int, WeakReference<int[]>> Arrays = [];

    public static int[] Of(int length)
    {
        lock (Arrays)
        {
            if (Arrays.TryGetValue(length, out var held) && held.TryGetTarget(out var indices))
            {
                return indices;
            }
            indices = new int[length];
            for (var i = 0; i < length; i++)
            {
                indices[i] = i;
            }
            Arrays[length] = new WeakReference<int[]>(indices);
            return indices;
        }
    }
}
