namespace Swarm.Learning.Aggregation;

/// <summary>
/// Federated averaging (McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized
/// Data", AISTATS 2017): the sample-weighted mean. With partial updates each coordinate is averaged over the sites
/// that shared it, with their weights renormalized.
/// </summary>
public sealed class FedAvg : IAggregationStrategy
{
    public string Name => "fedavg";

    public AggregationResult Aggregate(IReadOnlyList<SiteUpdate> updates)
    {
        var round = RoundUpdates.From(updates);
        var samples = round.Sites.Select(s => (double)s.SampleCount).ToArray();
        var delta = round.ReduceCoordinates((values, sites) =>
        {
            double sum = 0, weight = 0;
            for (var i = 0; i < values.Length; i++)
            {
                var w = samples[sites[i]];
                sum += w * values[i];
                weight += w;
            }
            return (float)(sum / weight);
        });
        var total = samples.Sum();
        return new AggregationResult(delta, round.Weights(s => samples[s] / total));
    }
}
