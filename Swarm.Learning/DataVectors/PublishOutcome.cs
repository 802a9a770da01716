namespace Swarm.Learning.DataVectors;

/// <summary>What became of a published data vector: accepted as the site's first, accepted in place of its earlier
/// one, or refused with the reason (wrong pre-trained model, wrong length, stale sequence number, no samples, a
/// value that is not finite).</summary>
public sealed record PublishOutcome(PublishStatus Status, string? Reason)
{
    public static PublishOutcome Added { get; } = new(PublishStatus.Added, null);

    public static PublishOutcome Replaced { get; } = new(PublishStatus.Replaced, null);

    public static PublishOutcome Refused(string reason) => new(PublishStatus.Refused, reason);

    public bool Accepted => Status != PublishStatus.Refused;
}

public enum PublishStatus
{
    Added,
    Replaced,
    Refused,
}
