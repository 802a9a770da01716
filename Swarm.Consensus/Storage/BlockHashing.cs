using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Swarm.Consensus.Storage;

/// <summary>
/// The ledger's hash rule: a block's hash is SHA-256 of its canonical bytes. Hashing is a pure function, so it
/// may live in the core; the consensus state machine itself still receives digests as inputs.
/// </summary>
public static class BlockHashing
{
    /// <summary>Length of a block hash in bytes (SHA-256).</summary>
    public const int HashBytes = 32;

    /// <summary>SHA-256 of the canonical block bytes.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> block) => SHA256.HashData(block);

    /// <summary>True when <paramref name="hash"/> is SHA-256 of <paramref name="block"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> block, ReadOnlySpan<byte> hash)
    {
        Span<byte> actual = stackalloc byte[HashBytes];
        SHA256.HashData(block, actual);
        return CryptographicOperations.FixedTimeEquals(actual, hash);
    }

    /// <summary>A cheap 32-bit value of a hash for hash codes (never for security).</summary>
    internal static int Fingerprint(byte[] hash) =>
        hash.Length >= sizeof(int) ? BinaryPrimitives.ReadInt32LittleEndian(hash) : hash.Length;
}
