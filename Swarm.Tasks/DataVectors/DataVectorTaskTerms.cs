using Swarm.Learning.DataVectors;

namespace Swarm.Tasks.DataVectors;

/// <summary>
/// The fixed terms of a data-vector task's chain (a second kind of task beside rounds; Tian et al., arXiv
/// 2408.13038): the sites in replica order, f (Byzantine sites tolerated, n ≥ 3f + 1), the pre-trained model pinned
/// by <paramref name="BaseHash"/> (the SHA-256 of its parameter file, which holds the little-endian float32 vector,
/// so it equals <c>ModelDigest.Hex</c> of the parameters), its parameter count, the merge rule, the vectors that
/// must arrive before a merge opens, the most samples a vector may declare (0: no bound), and the size of the
/// validated rule's λ grid (0: 3n).
/// </summary>
public sealed record DataVectorTaskTerms(string ChainId, IReadOnlyList<string> Sites, int F, string BaseHash,
    int ParameterCount, MergeRule Rule, int VectorsPerMerge = 1, long SampleCountMax = 0, int LambdaSteps = 0)
{
    /// <summary>The λ values a site may propose under the validated rule: <see cref="LambdaAgreement.Grid"/> of n
    /// sites with <see cref="LambdaSteps"/> steps (3n when 0: from 1/(2n) to 1.5, holding the mean and the sum).</summary>
    public IReadOnlyList<double> Grid => LambdaAgreement.Grid(Sites.Count, LambdaSteps > 0 ? LambdaSteps : 3 * Sites.Count);

    /// <summary>Matching merge votes that commit a merge: ⌈(n + f + 1) / 2⌉, as rounds finalize an aggregate.</summary>
    public int VotesToCommit => (Sites.Count + F + 2) / 2;

    /// <summary>What is wrong with these terms, or null.</summary>
    public string? Problem()
    {
        if (Sites.Count < 1 || Sites.Distinct(StringComparer.Ordinal).Count() != Sites.Count)
        {
            return "a data-vector task needs at least one site, each named once";
        }
        if (F < 0 || Sites.Count < (3 * F) + 1)
        {
            return $"{Sites.Count} sites cannot tolerate f = {F} Byzantine sites (n ≥ 3f + 1)";
        }
        if (BaseHash.Length != 64 || !BaseHash.All(Uri.IsHexDigit))
        {
            return $"the pre-trained model's hash '{BaseHash}' is not a SHA-256 in hex";
        }
        return ParameterCount < 1 || VectorsPerMerge < 1 || SampleCountMax < 0 || LambdaSteps < 0
            ? "the parameter count and vectors per merge must be at least 1, the sample-count bound and λ steps not negative"
            : null;
    }
}
