using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Swarm.Learning.Updates;

/// <summary>SHA-256 of a parameter vector's little-endian float32 bytes: the hash that round blocks carry for
/// models and aggregates, identical on every machine that holds bit-identical parameters.</summary>
public static class ModelDigest
{
    public static byte[] Of(ReadOnlySpan<float> parameters)
    {
        if (BitConverter.IsLittleEndian)
        {
            return SHA256.HashData(MemoryMarshal.AsBytes(parameters));
        }
        var bytes = new byte[parameters.Length * sizeof(float)];
        for (var i = 0; i < parameters.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), parameters[i]);
        }
        return SHA256.HashData(bytes);
    }

    public static string Hex(ReadOnlySpan<float> parameters) => Convert.ToHexStringLower(Of(parameters));
}
