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

    /// <summary>The same sums as the per-coordinate walk when every site shares every coordinate (θ = 1), without a
    /// call per coordinate: each coordinate still adds w_s Δ_s in site order in double precision, so the result is
    /// bit-identical, and no vector of sums is allocated (a ResNet-18 round would take 90 MB of fresh memory for it,
    /// at every site, in every round).</summary>
    private static float[] DenseMean(RoundUpdates round, double[] samples, double total)
    {
        var sites = round.Sites.Select(s => s.Update.Values).ToArray();
        var delta = new float[round.Length];
        for (var j = 0; j < delta.Length; j++)
        {
            var sum = 0.0;
            for (var s = 0; s < sites.Length; s++)
            {
                sum += samples[s] * sites[s][j];
            }
            // + 0f turns a −0 into +0, as the walk does.
            delta[j] = (float)(sum / total) + 0f;
        }
        return delta;
    }
}
