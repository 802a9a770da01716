namespace Swarm.Node.Blobs;

/// <summary>Blob addresses: SHA-256 of the content, 64 lowercase hex digits. Every hash that arrives from a peer is
/// checked here before it becomes part of a file path.</summary>
public static class BlobHash
{
    public const int HexLength = 64;

    public static bool IsValid(string? hash) => hash is { Length: HexLength } && hash.All(char.IsAsciiHexDigitLower);

    public static void ThrowIfInvalid(string hash)
    {
        if (!IsValid(hash))
        {
            throw new ArgumentException($"'{hash}' is not a blob hash (64 lowercase hex digits of SHA-256)", nameof(hash));
        }
    }
}
