namespace Swarm.Learning.Aggregation;

/// <summary>
/// Coordinate-wise trimmed mean (Yin et al., ICML 2018, §3): on each coordinate the ⌊β·m⌋ largest and smallest of
/// the m shared values are dropped and the rest averaged. At least one value is always kept.
/// </summary>
public sealed class TrimmedMean : IAggregationStrategy
{
    public TrimmedMean(double trimFraction)
    {
        if (!(trimFraction >= 0 && trimFraction < 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(trimFraction), trimFraction, "the trimmed fraction β must be in [0, 0.5)");
        }
        TrimFraction = trimFraction;
    }

    public double TrimFraction { get; }

    public string Name => "trimmed-mean";

    public AggregationResult Aggregate(IReadOnlyList<SiteUpdate> updates)
    {
        var round = RoundUpdates.From(updates);
        var delta = round.ReduceCoordinates((values, _) =>
        {
            SmallSort.Ascending(values);
            var trim = Math.Min((int)Math.Floor(TrimFraction * values.Length), (values.Length - 1) / 2);
            double sum = 0;
            for (var i = trim; i < values.Length - trim; i++)
            {
                sum += values[i];
            }
            return (float)(sum / (values.Length - (2 * trim)));
        });
        return new AggregationResult(delta, round.Weights(_ => 1.0 / round.Sites.Length));
    }
}
