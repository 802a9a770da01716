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
}
