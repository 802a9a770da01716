using System.IO.Compression;

namespace Swarm.Learning.Data.Numpy;

/// <summary>A NumPy <c>.npz</c> archive: a zip file of <c>.npy</c> members, stored or deflated (as
/// <c>numpy.savez</c> and <c>numpy.savez_compressed</c> write them).</summary>
public sealed class NpzArchive : IDisposable
{
    /// <summary>The largest uncompressed member we read into memory (a guard against zip bombs).</summary>
    public const long MemberBytesMax = 1L << 31;

    private readonly ZipArchive _zip;

    private NpzArchive(string name, ZipArchive zip)
    {
        Name = name;
        _zip = zip;
    }

    /// <summary>The archive's file name, used in error messages.</summary>
    public string Name { get; }

    /// <summary>The array names (member names without the <c>.npy</c> suffix).</summary>
    public IReadOnlyList<string> Names => [.. _zip.Entries.Select(e => StripSuffix(e.FullName))];

    /// <summary>Opens an archive on disk.</summary>
    public static NpzArchive Open(string path)
    {
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NumpyFormatException(path, $"cannot open archive: {e.Message}", e);
        }
        return Open(Path.GetFileName(path), stream);
    }

    /// <summary>Opens an archive from a stream, which the archive then owns.</summary>
    public static NpzArchive Open(string name, Stream stream)
    {
        try
        {
            return new NpzArchive(name, new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false));
        }
        catch (InvalidDataException e)
        {
            stream.Dispose();
            throw new NumpyFormatException(name, $"not a readable .npz (zip) archive: {e.Message}", e);
        }
    }

    /// <summary>Whether the archive holds an array called <paramref name="array"/>.</summary>
    public bool Contains(string array) => FindEntry(array) is not null;

    /// <summary>Reads the array <paramref name="array"/> (with or without the <c>.npy</c> suffix).</summary>
    public NpyArray Read(string array)
    {
        var entry = FindEntry(array)
            ?? throw new NumpyFormatException($"{Name}:{array}", $"no such member (archive has: {string.Join(", ", Names)})");
        var member = $"{Name}:{entry.FullName}";
        if (entry.Length > MemberBytesMax)
        {
            throw new NumpyFormatException(member, $"member of {entry.Length} bytes exceeds the {MemberBytesMax}-byte limit");
        }
        return NpyReader.Parse(member, ReadEntry(member, entry));
    }

    public void Dispose() => _zip.Dispose();

    private static byte[] ReadEntry(string member, ZipArchiveEntry entry)
    {
        var buffer = new byte[entry.Length];
        try
        {
            using var stream = entry.Open();
            stream.ReadExactly(buffer);
            return buffer;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new NumpyFormatException(member, $"corrupt or truncated archive member: {e.Message}", e);
        }
    }

    private ZipArchiveEntry? FindEntry(string array)
    {
        var wanted = StripSuffix(array);
        return _zip.Entries.FirstOrDefault(e => StripSuffix(e.FullName) == wanted);
    }

    private static string StripSuffix(string name) =>
        name.EndsWith(".npy", StringComparison.Ordinal) ? name[..^4] : name;
}
