namespace Swarm.Learning.Aggregation;

/// <summary>The aggregate of a round: a dense delta to add to the global model (zero where no site shared a
/// coordinate) and the weight each site received, in site-id order.</summary>
public sealed record AggregationResult(float[] Delta, IReadOnlyList<SiteWeight> Weights);

/// <summary>The share of the aggregate a site's update received (0 for an update a robust rule left out).</summary>
public sealed record SiteWeight(string SiteId, double Weight);
