namespace Swarm.Learning.Updates;

/// <summary>
/// How a site cuts its update to the share it publishes.
/// </summary>
/// <param name="Fraction">θ in (0, 1]: the share of the selectable coordinates that leaves the site.</param>
/// <param name="ErrorFeedback">Keep the unsent part of each round's Δ and add it to the next round's Δ before the
/// selection (residual accumulation, Lin et al., "Deep Gradient Compression", ICLR 2018, §3.1), so that what is not
/// sent now is delayed rather than lost.</param>
/// <param name="Scope">Select over the whole model or layer by layer.</param>
public sealed record SharingOptions(double Fraction = 1.0, bool ErrorFeedback = true, TopKScope Scope = TopKScope.Global)
{
    /// <summary>Every coordinate shared: θ = 1 (error feedback then has nothing to keep).</summary>
    public static SharingOptions Full { get; } = new();

    /// <summary>Null when the options are usable; otherwise what is wrong.</summary>
    public string? Problem() =>
        Fraction is > 0 and <= 1 ? null : $"the shared fraction θ must be in (0, 1], got {Fraction}";
}
