using System.Runtime.InteropServices;

namespace Swarm.Learning.Data.Numpy;

/// <summary>An n-dimensional array read from a <c>.npy</c> file: C-order little-endian elements held as raw
/// bytes and viewed as typed spans without copying or boxing.</summary>
public sealed class NpyArray
{
    private readonly byte[] _data;

    internal NpyArray(string name, NpyDType type, long[] shape, byte[] data)
    {
        Name = name;
        DType = type;
        Shape = shape;
        _data = data;
    }

    /// <summary>The file or archive member the array came from.</summary>
    public string Name { get; }

    public NpyDType DType { get; }

    /// <summary>The dimensions, outermost first (C order).</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The number of elements.</summary>
    public long Length => _data.Length / NpyDTypes.SizeOf(DType);

    /// <summary>The raw element bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _data;

    public ReadOnlySpan<byte> AsUInt8() => View<byte>(NpyDType.UInt8);

    public ReadOnlySpan<float> AsFloat32() => View<float>(NpyDType.Float32);

    public ReadOnlySpan<long> AsInt64() => View<long>(NpyDType.Int64);

    public ReadOnlySpan<double> AsFloat64() => View<double>(NpyDType.Float64);

    /// <summary>Fails with a message naming the array unless its shape is <paramref name="expected"/>, where
    /// a negative entry matches any size.</summary>
    public void RequireShape(params long[] expected)
    {
        var matches = Shape.Count == expected.Length;
        for (var i = 0; matches && i < expected.Length; i++)
        {
            matches = expected[i] < 0 || expected[i] == Shape[i];
        }
        if (!matches)
        {
            var want = string.Join(", ", expected.Select(d => d < 0 ? "*" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            throw new NumpyFormatException(Name, $"shape ({string.Join(", ", Shape)}) where ({want}) was expected");
        }
    }

    private ReadOnlySpan<T> View<T>(NpyDType wanted)
        where T : struct
    {
        if (DType != wanted)
        {
            throw new NumpyFormatException(Name, $"dtype is {NpyDTypes.Descriptor(DType)}, not {NpyDTypes.Descriptor(wanted)}");
        }
        return MemoryMarshal.Cast<byte, T>(_data);
    }
}
