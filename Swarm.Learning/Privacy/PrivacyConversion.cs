namespace Swarm.Learning.Privacy;

/// <summary>How an RDP curve is turned into an (ε, δ) guarantee.</summary>
public enum PrivacyConversion
{
    /// <summary>ε = RDP(α) + log(1/δ)/(α − 1) (Mironov 2017, "Rényi Differential Privacy", Proposition 3).</summary>
    Classic,

    /// <summary>ε = RDP(α) − (log δ + log α)/(α − 1) + log((α − 1)/α) (Balle et al. 2020, "Hypothesis testing
    /// interpretations and Rényi differential privacy", Theorem 21); never larger than the classic bound.</summary>
    Tight,
}
