using Swarm.Actors.Membership;

namespace Swarm.Actors.Gossip;

/// <summary>Everything the gossip actor of one node needs, as plain values.</summary>
/// <param name="Incarnation">This life's incarnation, above every earlier life of the node (a node takes the larger
/// of the wall clock in milliseconds and its stored last incarnation + 1).</param>
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
}
