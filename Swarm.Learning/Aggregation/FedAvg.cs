namespace Swarm.Learning.Aggregation;

/// <summary>
/// Federated averaging (McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized
/// Data", AISTATS 2017): the sample-weighted mean.
/// <para>With partial updates each coordinate is Σ_{sites that shared it} w_s Δ_s divided by the weight of
/// <em>every</em> included site: a site that did not share a coordinate counts as Δ = 0 there, it is not left out of
/// the denominator. A site's unsent part is not a statement that the coordinate should move as the others say: with
/// error feedback it is sent in a later round (Lin et al., ICLR 2018, which sums sparse updates the same way), and
/// renormalizing over the sharers would apply those sites' share twice; it would also let one site that alone
/// shares a coordinate set it to its own value. At θ = 1 both rules are the same.</para>
/// </summary>
public sealed class FedAvg : IAggregationStrategy
{
    public string Name => "fedavg";

    public AggregationResult Aggregate(IReadOnlyList<SiteUpdate> updates)
    {
        var round = RoundUpdates.From(updates);
        var samples = round.Sites.Select(s => (double)s.SampleCount).ToArray();
        var total = 0.0;
        foreach (var w in samples)
        {
            total += w;
        }
        if (round.Sites.All(s => s.Update.IsDense))
        {
            return new AggregationResult(DenseMean(round, samples, total), round.Weights(s => samples[s] / total));
        }
        var delta = round.ReduceCoordinates((values, sites) =>
        {
            double sum = 0;
            for (var i = 0; i < values.Length; i++)
            {
                sum += samples[sites[i]] * values[i];
            }
            return (float)(sum / total);
        });
        return new AggregationResult(delta, round.Weights(s => samples[s] / total));
    }

    /// <summary>The same sums as the per-coordinate walk when every site shares every coordinate (θ = 1), site by
    /// site over the whole vector: each coordinate still adds w_s Δ_s in site order in double precision, so the
    /// result is bit-identical, without a call per coordinate.</summary>
    private static float[] DenseMean(RoundUpdates round, double[] samples, double total)
    {
        var sums = new double[round.Length];
        for (var s = 0; s < round.Sites.Length; s++)
        {
            var values = round.Sites[s].Update.Values;
            var weight = samples[s];
            for (var j = 0; j < sums.Length; j++)
            {
                sums[j] += weight * values[j];
            }
        }
        var delta = new float[sums.Length];
        for (var j = 0; j < delta.Length; j++)
        {
            // + 0f turns a −0 into +0, as the walk does.
            delta[j] = (float)(sums[j] / total) + 0f;
        }
        return delta;
    }
}
