using Swarm.Learning.Updates;

namespace Swarm.Learning.Aggregation;

/// <summary>One site's contribution to a round: its (possibly partial) update and the number of training
/// samples behind it.</summary>
public sealed record SiteUpdate(string SiteId, long SampleCount, SparseUpdate Update);
