using Swarm.Actors.Membership;

namespace Swarm.Actors.Gossip;

/// <summary>Everything the gossip actor of one node needs, as plain values.</summary>
/// <param name="Incarnation">This life's incarnation; above every earlier life (see <see cref="IncarnationOf"/>).</param>
/// <param name="Seeds">Other members to join through (the consortium's members).</param>
/// <param name="Membership">Failure detection and down timing.</param>
/// <param name="Interval">Period of gossip rounds and heartbeats.</param>
/// <param name="RandomSeed">Seed of gossip target selection (fixed in tests, random in a node).</param>
public sealed record GossipActorOptions(
    long Incarnation,
    IReadOnlyList<string> Seeds,
    MembershipOptions Membership,
    TimeSpan Interval,
    int RandomSeed)
{
    /// <summary>Name of the gossip actor on every node: <c>swarm://node-id/user/gossip</c>.</summary>
    public const string ActorName = "gossip";

    /// <summary>An incarnation from the wall clock in milliseconds: a restarted node's is higher than its previous
    /// life's unless the clock went back, and even then a node that finds a higher incarnation of itself in the
    /// gossip moves above it (rule 6 of <see cref="MembershipState"/>).</summary>
    public static long IncarnationOf(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();
}
