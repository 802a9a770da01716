namespace Swarm.Learning.Data.Numpy;

/// <summary>The parsed header dictionary of a <c>.npy</c> file: <c>{'descr': ..., 'fortran_order': ...,
/// 'shape': (...)}</c>.</summary>
/// <param name="Descriptor">The <c>descr</c> string, e.g. <c>|u1</c>.</param>
/// <param name="FortranOrder">Whether the data are stored column-major.</param>
/// <param name="Shape">The array's dimensions; empty for a scalar.</param>
public sealed record NpyHeader(string Descriptor, bool FortranOrder, long[] Shape)
{
    /// <summary>The number of elements the shape holds (1 for a scalar).</summary>
    public long ElementCount(string member)
    {
        long count = 1;
        foreach (var dimension in Shape)
        {
            count = checked(count * dimension);
        }
        return count < 0 ? throw new NumpyFormatException(member, "negative dimension in shape") : count;
    }
}
