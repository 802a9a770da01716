namespace Swarm.Learning.Aggregation;

/// <summary>Creates an aggregation strategy from its name in a task specification.</summary>
public static class AggregationStrategies
{
    public static IReadOnlyList<string> Names { get; } = ["fedavg", "median", "trimmed-mean", "krum"];

    /// <param name="name">fedavg, median, trimmed-mean or krum.</param>
    /// <param name="byzantine">f, the sites assumed Byzantine: Krum's f, the least trimmed per side by the trimmed
    /// mean, and 2f + 1 the sharers a coordinate needs under the median and the trimmed mean.</param>
    /// <param name="trimFraction">β for trimmed-mean.</param>
    public static IAggregationStrategy Create(string name, int byzantine = 1, double trimFraction = 0.2) =>
        name switch
        {
            "fedavg" => new FedAvg(),
            "median" => new CoordinateMedian(byzantine),
            "trimmed-mean" => new TrimmedMean(trimFraction, byzantine),
            "krum" => new Krum(byzantine),
            _ => throw new ArgumentException(
                $"unknown aggregation strategy '{name}'; expected one of {string.Join(", ", Names)}", nameof(name)),
        };
}
