namespace Swarm.Node.Blobs;

/// <summary>The outcome of reading or fetching a blob: <see cref="Error"/> is null on success, otherwise it says what
/// went wrong in words fit for a log line.</summary>
public sealed record BlobCheck(string Hash, string? Error)
{
    public bool Succeeded => Error is null;

    public static BlobCheck Intact(string hash) => new(hash, null);

    public static BlobCheck Missing(string hash) => new(hash, $"blob {hash} is not in the store");

    public static BlobCheck Corrupt(string hash, string actual) =>
        new(hash, $"blob {hash} is corrupt: its content hashes to {actual}; the file was deleted");

    public static BlobCheck Failed(string hash, string reason) => new(hash, $"blob {hash}: {reason}");
}
