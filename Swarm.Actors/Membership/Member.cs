namespace Swarm.Actors.Membership;

/// <summary>One member as gossiped: which node, which life of it (<paramref name="Incarnation"/> grows with every
/// restart and every refutation) and its status in that life. (Incarnation, Status) is the entry's version.</summary>
public sealed record Member(string NodeId, long Incarnation, MemberStatus Status)
{
    /// <summary>True when the member takes part in the cluster: it counts as a gossip and heartbeat target.</summary>
    public bool IsAlive => Status is MemberStatus.Joining or MemberStatus.Up or MemberStatus.Unreachable or MemberStatus.Leaving;

    /// <summary>True when this entry is newer than <paramref name="other"/> for the same node: a higher incarnation,
    /// or the same incarnation and a later status.</summary>
    public bool Supersedes(Member other) =>
        Incarnation > other.Incarnation || (Incarnation == other.Incarnation && Status > other.Status);

    public override string ToString() => $"{NodeId}@{Incarnation}:{Status}";
}
