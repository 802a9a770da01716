namespace Swarm.Learning.Aggregation;

/// <summary>
/// Coordinate-wise median (Yin et al., "Byzantine-Robust Distributed Learning: Towards Optimal Statistical
/// Rates", ICML 2018, §3): robust to a minority of arbitrary updates on each coordinate. With an even number of
/// values the two middle ones are averaged.
/// </summary>
public sealed class CoordinateMedian : IAggregationStrategy
{
    public string Name => "median";

    public AggregationResult Aggregate(IReadOnlyList<SiteUpdate> updates)
    {
        var round = RoundUpdates.From(updates);
        var delta = round.ReduceCoordinates((values, _) =>
        {
            SmallSort.Ascending(values);
            var mid = values.Length / 2;
            return values.Length % 2 == 1 ? values[mid] : (float)((values[mid - 1] + (double)values[mid]) / 2);
        });
        return new AggregationResult(delta, round.Weights(_ => 1.0 / round.Sites.Length));
    }
}
