namespace Swarm.Learning.Aggregation;

/// <summary>
/// Krum and Multi-Krum (Blanchard et al., "Machine Learning with Adversaries: Byzantine Tolerant Gradient
/// Descent", NeurIPS 2017, §4): each update is scored by the summed squared distance to its n − f − 2 nearest
/// neighbours; the <see cref="Selected"/> lowest-scoring updates are averaged (Krum is Selected = 1). Requires
/// n ≥ 2f + 3.
/// <para>Partial updates (θ &lt; 1) are compared and averaged on their common support: the coordinates every
/// update of the round shared. Other coordinates keep their current global value. Filling unshared coordinates
/// with zeros instead would make honest updates with different top-θ supports look far apart and a near-zero
/// update look closest to all, and the chosen update would carry coordinates no other site could be compared
/// on; on the common support every update is dense and Krum's argument holds as stated.</para>
/// </summary>
public sealed class Krum : IAggregationStrategy
{
    public Krum(int byzantine, int selected = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byzantine);
        ArgumentOutOfRangeException.ThrowIfLessThan(selected, 1);
        Byzantine = byzantine;
        Selected = selected;
    }

    /// <summary>The number f of Byzantine sites tolerated.</summary>
    public int Byzantine { get; }

    /// <summary>How many of the best-scored updates are averaged.</summary>
    public int Selected { get; }

    public string Name => "krum";

    public AggregationResult Aggregate(IReadOnlyList<SiteUpdate> updates)
    {
        var round = RoundUpdates.From(updates);
        var n = round.Sites.Length;
        if (n < (2 * Byzantine) + 3)
        {
            throw new ArgumentException($"Krum with f = {Byzantine} needs at least {(2 * Byzantine) + 3} updates, got {n}", nameof(updates));
        }
        var support = round.CommonSupport();
        var values = Enumerable.Range(0, n).Select(s => round.ValuesOn(s, support)).ToArray();
        var scores = Scores(values, n - Byzantine - 2);
        var chosen = Enumerable.Range(0, n).OrderBy(s => scores[s]).ThenBy(s => s).Take(Math.Min(Selected, n)).Order().ToArray();

        var delta = new float[round.Length];
        for (var k = 0; k < support.Length; k++)
        {
            double sum = 0;
            foreach (var s in chosen)
            {
                sum += values[s][k];
            }
            delta[support[k]] = (float)(sum / chosen.Length) + 0f;
        }
        var weight = 1.0 / chosen.Length;
        return new AggregationResult(delta, round.Weights(s => chosen.Contains(s) ? weight : 0));
    }

    private static double[] Scores(float[][] dense, int neighbours)
    {
        var n = dense.Length;
        var distance = new double[n, n];
        for (var a = 0; a < n; a++)
        {
            for (var b = a + 1; b < n; b++)
            {
                distance[a, b] = distance[b, a] = SquaredDistance(dense[a], dense[b]);
            }
        }
        var scores = new double[n];
        for (var a = 0; a < n; a++)
        {
            var others = Enumerable.Range(0, n).Where(b => b != a).Select(b => distance[a, b]).Order();
            scores[a] = others.Take(neighbours).Sum();
        }
        return scores;
    }

    private static double SquaredDistance(float[] x, float[] y)
    {
        double sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            double d = x[i] - (double)y[i];
            sum += d * d;
        }
        return sum;
    }
}
