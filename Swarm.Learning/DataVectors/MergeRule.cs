namespace Swarm.Learning.DataVectors;

/// <summary>How the data vectors are weighted in θ_pre + Σ_j c_j·τ_j.</summary>
public enum MergeRule
{
    /// <summary>c_j = 1: the plain sum of Tian et al. (arXiv 2408.13038), task arithmetic with λ = 1.</summary>
    Sum,

    /// <summary>c_j = 1/n: the mean vector (n vectors).</summary>
    Mean,

    /// <summary>c_j = n_j / Σ n: weighted by each site's sample count (FedAvg's weights).</summary>
    SampleWeighted,

    /// <summary>c_j = λ with λ agreed from the sites' validation proposals (<see cref="LambdaAgreement"/>); the
    /// scaling coefficient of Ilharco et al. (ICLR 2023), chosen there on held-out validation data.</summary>
    Validated,
}
