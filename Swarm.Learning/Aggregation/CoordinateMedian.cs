namespace Swarm.Learning.Aggregation;

/// <summary>
/// Coordinate-wise median (Yin et al., "Byzantine-Robust Distributed Learning: Towards Optimal Statistical
/// Rates", ICML 2018, §3): robust to a minority of arbitrary updates on each coordinate. With an even number of
/// values the two middle ones are averaged.
/// <para>Under partial sharing (θ &lt; 1) a coordinate is aggregated only when at least 2f + 1 sites shared it
/// (<see cref="SharersMin"/>); otherwise it keeps its current global value. With at most f Byzantine sites among
/// 2f + 1 or more values, the honest ones are a majority, so the median lies within the range of honest values.
/// Without the minimum a coordinate that only the attacker shared would take the attacker's value.</para>
/// </summary>
public sealed class CoordinateMedian : IAggregationStrategy
{
    /// <param name="byzantine">f, the Byzantine sites tolerated.</param>
    public CoordinateMedian(int byzantine = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byzantine);
        Byzantine = byzantine;
    }

    /// <summary>The number f of Byzantine sites tolerated.</summary>
    public int Byzantine { get; }

    /// <summary>Values a coordinate needs to be aggregated: 2f + 1.</summary>
    public int SharersMin => (2 * Byzantine) + 1;

    public string Name => "median";

    public AggregationResult Aggregate(IReadOnlyList<SiteUpdate> updates)
    {
        var round = RoundUpdates.From(updates);
        var delta = round.ReduceCoordinates((values, _) =>
        {
            SmallSort.Ascending(values);
            var mid = values.Length / 2;
            return values.Length % 2 == 1 ? values[mid] : (float)((values[mid - 1] + (double)values[mid]) / 2);
        }, SharersMin);
        return new AggregationResult(delta, round.Weights(_ => 1.0 / round.Sites.Length));
    }
}
