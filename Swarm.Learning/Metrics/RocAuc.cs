namespace Swarm.Learning.Metrics;

/// <summary>The area under the ROC curve of one binary problem, computed as the Mann–Whitney statistic with
/// average ranks for tied scores. That equals the trapezoidal area under the ROC curve that scikit-learn's
/// <c>roc_auc_score</c> computes (a tie between a positive and a negative counts one half).</summary>
public static class RocAuc
{
    /// <summary>The AUC of <paramref name="scores"/> for the examples where <paramref name="positive"/> is
    /// true; NaN when all examples are of one kind, where the AUC is undefined.</summary>
    public static double Compute(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive)
    {
        if (scores.Length != positive.Length)
        {
            throw new ArgumentException($"{scores.Length} scores for {positive.Length} labels", nameof(positive));
        }
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double positives = 0;
        double rankSum = 0;
        for (var start = 0; start < keys.Length;)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }
            // Ranks start..end-1 (0-based) are tied; each gets the average 1-based rank.
            var averageRank = ((start + 1) + end) / 2.0;
            for (var k = start; k < end; k++)
            {
                if (positive[order[k]])
                {
                    positives++;
                    rankSum += averageRank;
                }
            }
            start = end;
        }
        var negatives = scores.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }
        return (rankSum - (positives * (positives + 1) / 2.0)) / (positives * negatives);
    }
}
