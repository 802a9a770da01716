namespace Swarm.Tasks;

/// <summary>
/// Dopamine's rules in the rounds (Malekzadeh et al., "Dopamine: Differentially Private Federated Learning on
/// Medical Data", 2021; docs/privacy.md, "Dopamine"). Every round is one step of central DP-SGD: each site
/// Poisson-samples its data at q = batch / its samples, sums its per-example gradients clipped to C, adds
/// N(0, σ²C²/m) and publishes Δ = −lr · (noisy sum) / batch under secure aggregation; the sites add the included Δ
/// with weight 1 and divide by their count, so the revealed step is −lr · Σ (noisy sums) / (k · batch), central
/// DP-SGD's step with expected batch k · batch. The noise in the revealed sum is N(0, k/m · σ²C²), at least
/// σ²C² because the chain closes a Dopamine round only with m or more updates (<see cref="NoiseSharesOf"/>), so
/// every round is accounted as one sampled-Gaussian step at the spec's σ.
/// </summary>
public static class DopamineTerms
{
    /// <summary>m: the fewest updates a Dopamine round's sum may hold, and the share of σ² each site adds (σ²/m).
    /// The task's quorum (all participants when it is 0): the paper's split σ²C²/K when every site must take part;
    /// a smaller quorum tolerates dropouts at the price of √(K/m) more noise when all K take part.</summary>
    public static int NoiseSharesOf(TaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Quorum <= 0 ? spec.Participants.Count : spec.Quorum;
    }

    /// <summary>The noise multiplier of the Gaussian each site adds to its clipped sum: σ / √m, so that the sum of
    /// m sites' noise is N(0, σ²C²).</summary>
    public static double SiteNoiseMultiplier(double noiseMultiplier, int noiseShares) =>
        noiseMultiplier / Math.Sqrt(Math.Max(1, noiseShares));

    /// <summary>What a site's masked vector is multiplied by before it is summed: 1 under Dopamine (the round's
    /// step is the plain mean of the Δ, each normalized by the same expected batch), the sample count (FedAvg)
    /// otherwise.</summary>
    public static long WeightOf(TaskSpec spec, long sampleCount)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Privacy.Mode == PrivacyModes.Dopamine ? 1 : sampleCount;
    }
}
