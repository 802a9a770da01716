using System.Buffers.Binary;
using System.Text;

namespace Swarm.Learning.Data.Numpy;

/// <summary>Reads the NumPy <c>.npy</c> format (versions 1.0, 2.0 and 3.0): a magic string, a version, a
/// little-endian header length, a Python-dict header, then the raw elements. Only C-order little-endian
/// arrays of the types in <see cref="NpyDType"/> are accepted; anything else fails with a message naming the
/// member and the problem.</summary>
public static class NpyReader
{
    /// <summary>The largest header we accept; NumPy pads headers to 64 bytes and real ones are far smaller.</summary>
    public const int HeaderBytesMax = 1 << 20;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a <c>.npy</c> file from disk.</summary>
    public static NpyArray ReadFile(string path)
    {
        try
        {
            return Parse(Path.GetFileName(path), File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NumpyFormatException(path, $"cannot read file: {e.Message}", e);
        }
    }

    /// <summary>Parses the complete bytes of one <c>.npy</c> file named <paramref name="member"/>.</summary>
    public static NpyArray Parse(string member, ReadOnlySpan<byte> content)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the NumPy reader assumes a little-endian machine");
        }
        var (header, dataOffset) = ReadHeader(member, content);
        if (header.FortranOrder)
        {
            throw new NumpyFormatException(member, "Fortran (column-major) order is not supported; save the array in C order");
        }
        var type = NpyDTypes.Parse(member, header.Descriptor);
        var expectedBytes = checked(header.ElementCount(member) * NpyDTypes.SizeOf(type));
        var available = content.Length - dataOffset;
        if (available < expectedBytes)
        {
            throw new NumpyFormatException(member, $"truncated data: shape ({string.Join(", ", header.Shape)}) needs {expectedBytes} bytes, file has {available}");
        }
        if (available > expectedBytes)
        {
            throw new NumpyFormatException(member, $"size mismatch: shape ({string.Join(", ", header.Shape)}) needs {expectedBytes} bytes, file has {available}");
        }
        return new NpyArray(member, type, header.Shape, content[dataOffset..].ToArray());
    }

    private static (NpyHeader Header, int DataOffset) ReadHeader(string member, ReadOnlySpan<byte> content)
    {
        if (content.Length < Magic.Length + 2 || !content[..Magic.Length].SequenceEqual(Magic))
        {
            throw new NumpyFormatException(member, "bad magic: not a NumPy .npy file");
        }
        var major = content[6];
        var lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new NumpyFormatException(member, $"unsupported .npy format version {major}.{content[7]}"),
        };
        var prefix = 8 + lengthBytes;
        if (content.Length < prefix)
        {
            throw new NumpyFormatException(member, "truncated header");
        }
        var headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(content[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(content[8..]);
        if (headerLength > HeaderBytesMax)
        {
            throw new NumpyFormatException(member, $"header of {headerLength} bytes exceeds the {HeaderBytesMax}-byte limit");
        }
        if (content.Length < prefix + (int)headerLength)
        {
            throw new NumpyFormatException(member, "truncated header");
        }
        // Versions 1 and 2 use latin-1 text, version 3 UTF-8; the keys and values we accept are ASCII either way.
        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        var text = encoding.GetString(content.Slice(prefix, (int)headerLength));
        return (NpyHeaderParser.Parse(member, text), prefix + (int)headerLength);
    }
}
