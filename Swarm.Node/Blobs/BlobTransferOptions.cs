namespace Swarm.Node.Blobs;

/// <summary>Limits of blob transfer (unit last in the name).</summary>
public sealed record BlobTransferOptions
{
    /// <summary>Bytes per chunk envelope; must fit in the transport's FrameBytesMax with room for the header.</summary>
    public int ChunkBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest blob a peer may announce; a larger total_bytes is refused.</summary>
    public long BlobBytesMax { get; init; } = 256L * 1024 * 1024 * 1024;

    /// <summary>A download with no progress for this long asks the peer again for the remainder.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Requests of one download (first plus resumes) before it gives up.</summary>
    public int RequestsMax { get; init; } = 50;

    /// <summary>Blobs this node streams to peers at once; more requests are answered "busy".</summary>
    public int ServesMax { get; init; } = 16;
}
