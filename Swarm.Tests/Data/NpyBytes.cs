using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Swarm.Tests.Data;

/// <summary>Builds <c>.npy</c> and <c>.npz</c> bytes in tests, including deliberately broken ones.</summary>
internal static class NpyBytes
{
    public static byte[] Npy(string descr, string shape, ReadOnlySpan<byte> data, bool fortran = false, int major = 1)
    {
        var dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        return NpyWithHeader(dict, data, major);
    }

    public static byte[] NpyWithHeader(string dict, ReadOnlySpan<byte> data, int major = 1)
    {
        var lengthBytes = major == 1 ? 2 : 4;
        var unpadded = 8 + lengthBytes + dict.Length + 1;
        var padding = (64 - (unpadded % 64)) % 64;
        var header = dict + new string(' ', padding) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add((byte)major);
        bytes.Add(0);
        var length = new byte[lengthBytes];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        }
        bytes.AddRange(length);
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data.ToArray());
        return [.. bytes];
    }

    public static byte[] Npz(CompressionLevel level, params (string Name, byte[] Npy)[] members)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, npy) in members)
            {
                using var entry = zip.CreateEntry(name + ".npy", level).Open();
                entry.Write(npy);
            }
        }
        return stream.ToArray();
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }
        return bytes;
    }
}
