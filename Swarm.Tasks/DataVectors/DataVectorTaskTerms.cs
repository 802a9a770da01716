using Swarm.Learning.DataVectors;

namespace Swarm.Tasks.DataVectors;

/// <summary>
/// The fixed terms of a data-vector task's chain (a second kind of task beside rounds; Tian et al., arXiv
/// 2408.13038): the sites in replica order, f (Byzantine sites tolerated, n ≥ 3f + 1), the pre-trained model pinned
/// by <paramref name="BaseHash"/> (the SHA-256 of its parameter file, which holds the little-endian float32 vector,
/// so it equals <c>ModelDigest.Hex</c> of the parameters), its parameter count, the merge rule, the vectors that
/// must arrive before a merge opens, and the most samples a vector may declare (0: no bound).
/// </summary>
public sealed record DataVectorTaskTerms(string ChainId, IReadOnlyList<string> Sites, int F, string BaseHash,
    int ParameterCount, MergeRule Rule, int VectorsPerMerge = 1, long SampleCountMax = 0)
{
    /// <summary>Matching merge votes that commit a merge: ⌈(n + f + 1) / 2⌉, as rounds finalize an aggregate.</summary>
    public int VotesToCommit => (Sites.Count + F + 2) / 2;

    /// <summary>What is wrong with these terms, or null. The validated rule is refused: agreeing on λ needs a
    /// proposal step on the chain that is not built yet (the experiment agrees λ in process).</summary>
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
        if (ParameterCount < 1 || VectorsPerMerge < 1 || SampleCountMax < 0)
        {
            return "the parameter count and vectors per merge must be at least 1, the sample-count bound not negative";
        }
        return Rule == MergeRule.Validated
            ? "merge rule 'validated' is not run on chains yet (λ proposals need their own step); use sum, mean or sample-weighted"
            : null;
    }
}
