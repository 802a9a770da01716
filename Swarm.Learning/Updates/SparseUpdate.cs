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
    public static SparseUpdate Dense(ReadOnlySpan<float> delta)
    {
        var indices = new int[delta.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = i;
        }
        return Create(delta.Length, indices, delta.ToArray());
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
