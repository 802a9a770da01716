using Swarm.Actors.Training;

namespace Swarm.Node.Simulation;

/// <summary>The end of a round: accepted with the aggregate every included site reproduced, or rejected with the
/// sites whose recomputation disagreed with the proposal (and what they got).</summary>
public sealed record RoundDecision(int Round, bool Accepted, RoundAggregate Proposal,
    IReadOnlyList<PublishedUpdate> Updates, IReadOnlyList<AggregateRes> Dissent)
{
    public string Reason => Accepted
        ? "every included site reproduced the aggregate"
        : "aggregate not reproduced by " + string.Join(", ", Dissent.Select(d =>
            d.Error is null ? $"{d.SiteId} (got {d.AggregateHash})" : $"{d.SiteId} ({d.Error})"));
}
