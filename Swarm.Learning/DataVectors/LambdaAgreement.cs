namespace Swarm.Learning.DataVectors;

/// <summary>
/// λ for <see cref="MergeRule.Validated"/>: every site scores θ_pre + λ·Σ τ on its own validation split over a grid
/// and proposes its best λ (Ilharco et al., ICLR 2023, choose the scaling coefficient on held-out validation data;
/// here no site sees another's data, so each proposes and the chain agrees). The agreed λ is the median of the
/// proposals, the lower middle one when their number is even, so it is always some site's proposal, and one site
/// proposing an extreme value cannot move it past the honest ones.
/// </summary>
public static class LambdaAgreement
{
    /// <summary>The λ of <paramref name="grid"/> with the highest finite score; ties go to the smaller λ (the merge
    /// closer to θ_pre). Throws when no score is finite.</summary>
    public static double Propose(IReadOnlyList<double> grid, Func<double, double> validationScore)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(validationScore);
        double? best = null;
        var bestScore = double.NegativeInfinity;
        foreach (var lambda in grid.Order())
        {
            var score = validationScore(lambda);
            if (double.IsFinite(score) && score > bestScore)
            {
                (best, bestScore) = (lambda, score);
            }
        }
        return best ?? throw new ArgumentException("no λ of the grid has a finite validation score", nameof(validationScore));
    }

    /// <summary>The agreed λ: the (lower) median of the sites' proposals.</summary>
    public static double Agree(IEnumerable<double> proposals)
    {
        ArgumentNullException.ThrowIfNull(proposals);
        var sorted = proposals.ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("no site proposed a λ", nameof(proposals));
        }
        if (sorted.Any(p => !double.IsFinite(p) || p < 0))
        {
            throw new ArgumentException("a proposed λ is negative or not finite", nameof(proposals));
        }
        Array.Sort(sorted);
        return sorted[(sorted.Length - 1) / 2];
    }

    /// <summary>A grid of <paramref name="steps"/> multiples of 1/(2n) for n = <paramref name="sites"/>: k/(2n) for
    /// k = 1 … steps. It holds λ = 1/n (the mean) at k = 2 and λ = 1 (the sum) at k = 2n, and half-steps between.</summary>
    public static IReadOnlyList<double> Grid(int sites, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sites);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        return [.. Enumerable.Range(1, steps).Select(k => k / (2.0 * sites))];
    }
}
