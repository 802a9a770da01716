namespace Swarm.Learning.Aggregation;

/// <summary>
/// An aggregation rule: a pure function of the round's updates. Every implementation is deterministic, and
/// bit-identical on every machine: updates are taken in ordinal site-id order, sums run in that fixed order in
/// double precision, and the result is rounded to float32 once. An honest replica recomputes the aggregate and
/// refuses to commit a different hash.
/// </summary>
public interface IAggregationStrategy
{
    /// <summary>The name used in task specifications (e.g. "fedavg").</summary>
    string Name { get; }

    /// <summary>Aggregates the round's updates; throws <see cref="ArgumentException"/> on inconsistent input.</summary>
    AggregationResult Aggregate(IReadOnlyList<SiteUpdate> updates);
}
