namespace Swarm.Tasks;

/// <summary>A site's update as published for a round: the encoded sparse Δ (<c>UpdateCodec</c>) and its SHA-256,
/// so every site aggregates exactly the same bytes.</summary>
public sealed record PublishedUpdate(string SiteId, long SampleCount, byte[] Bytes, string Hash);
