namespace Swarm.Learning.Transfer;

/// <summary>A source model's parameters carried into a target layout: the target's flat vector and, by entry
/// name, what happened to each entry (copied as is, first-layer kernel repeated over input channels, or left at the
/// target's own initialisation because the source has no entry of that name and a usable shape).</summary>
public sealed record AdaptedModel(float[] Parameters, IReadOnlyList<string> Copied,
    IReadOnlyList<string> ChannelsRepeated, IReadOnlyList<string> Reinitialized);
