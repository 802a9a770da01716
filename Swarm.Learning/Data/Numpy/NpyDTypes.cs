namespace Swarm.Learning.Data.Numpy;

/// <summary>Maps NumPy type descriptors (<c>descr</c>) to <see cref="NpyDType"/> and element sizes.</summary>
public static class NpyDTypes
{
    /// <summary>The element size in bytes.</summary>
    public static int SizeOf(NpyDType type) => type switch
    {
        NpyDType.UInt8 => 1,
        NpyDType.Float32 => 4,
        NpyDType.Int64 => 8,
        NpyDType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown NpyDType"),
    };

    /// <summary>The descriptor NumPy writes for the type.</summary>
    public static string Descriptor(NpyDType type) => type switch
    {
        NpyDType.UInt8 => "|u1",
        NpyDType.Float32 => "<f4",
        NpyDType.Int64 => "<i8",
        NpyDType.Float64 => "<f8",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown NpyDType"),
    };

    /// <summary>Parses a descriptor, or explains why it is not supported. A one-byte type may be written with
    /// any byte-order mark ('|', '&lt;', '=' or '&gt;'), as byte order does not apply to it.</summary>
    public static NpyDType Parse(string member, string descr)
    {
        if (descr.Length < 3)
        {
            throw new NumpyFormatException(member, $"unsupported dtype '{descr}'");
        }
        var order = descr[0];
        var code = descr[1..];
        if (code == "u1" && order is '|' or '<' or '>' or '=')
        {
            return NpyDType.UInt8;
        }
        if (order == '>')
        {
            throw new NumpyFormatException(member, $"big-endian dtype '{descr}' is not supported (only little-endian)");
        }
        if (order is not ('<' or '='))
        {
            throw new NumpyFormatException(member, $"unsupported dtype '{descr}' (supported: |u1, <f4, <i8, <f8)");
        }
        return code switch
        {
            "f4" => NpyDType.Float32,
            "i8" => NpyDType.Int64,
            "f8" => NpyDType.Float64,
            _ => throw new NumpyFormatException(member, $"unsupported dtype '{descr}' (supported: |u1, <f4, <i8, <f8)"),
        };
    }
}
