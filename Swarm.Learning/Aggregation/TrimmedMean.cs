namespace Swarm.Learning.Aggregation;

/// <summary>
/// Coordinate-wise trimmed mean (Yin et al., ICML 2018, §3): on each coordinate the t largest and t smallest of the
/// m shared values are dropped and the rest averaged, with t = max(f, ⌊β·m⌋): at least f per side, so f
/// Byzantine values can all be trimmed whichever side they lie on (with ⌊β·m⌋ alone, m ≤ 4 at β = 0.2 would trim
/// nothing). A coordinate is aggregated only when at least 2f + 1 sites shared it (<see cref="SharersMin"/>), so at
/// least one value is left after trimming; otherwise it keeps its current global value.
/// </summary>
public sealed class TrimmedMean : IAggregationStrategy
{
    /// <param name="trimFraction">β in [0, 0.5).</param>
    /// <param name="byzantine">f, the Byzantine sites tolerated (the least trimmed per side).</param>
    public TrimmedMean(double trimFraction, int byzantine = 1)
    {
        if (!(trimFraction >= 0 && trimFraction < 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(trimFraction), trimFraction, "the trimmed fraction β must be in [0, 0.5)");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(byzantine);
        TrimFraction = trimFraction;
        Byzantine = byzantine;
    }

    public double TrimFraction { get; }

    /// <summary>The number f of Byzantine sites tolerated.</summary>
    public int Byzantine { get; }

    /// <summary>Values a coordinate needs to be aggregated: 2f + 1.</summary>
    public int SharersMin => (2 * Byzantine) + 1;

    public string Name => "trimmed-mean";

    public AggregationResult Aggregate(IReadOnlyList<SiteUpdate> updates)
    {
        var round = RoundUpdates.From(updates);
        var delta = round.ReduceCoordinates((values, _) =>
        {
            SmallSort.Ascending(values);
            var trim = Math.Min(Math.Max(Byzantine, (int)Math.Floor(TrimFraction * values.Length)), (values.Length - 1) / 2);
            double sum = 0;
            for (var i = trim; i < values.Length - trim; i++)
            {
                sum += values[i];
            }
            return (float)(sum / (values.Length - (2 * trim)));
        }, SharersMin);
        return new AggregationResult(delta, round.Weights(_ => 1.0 / round.Sites.Length));
    }
}
