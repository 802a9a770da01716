namespace Swarm.Actors.Membership;

/// <summary>Where a member stands in the cluster. Within one incarnation the values only ever grow, in the order
/// they are declared here: that order is what makes <see cref="MembershipView.Merge"/> a lattice join, so every
/// member that has seen the same facts holds the same view, whatever order the facts arrived in.</summary>
public enum MemberStatus
{
    /// <summary>Announced itself; no other member has acknowledged it yet.</summary>
    Joining = 0,

    /// <summary>A full member: at least one peer lists it (or it is alone).</summary>
    Up = 1,

    /// <summary>Some member's failure detector suspects it. Only the member itself can undo this, by gossiping a
    /// higher incarnation (SWIM's refutation, Das et al. 2002, section 4.2).</summary>
    Unreachable = 2,

    /// <summary>Shutting down gracefully; removed as soon as it falls silent.</summary>
    Leaving = 3,

    /// <summary>Was unreachable for gossip.down-after: out of the cluster until it rejoins with a higher incarnation.</summary>
    Down = 4,

    /// <summary>Left gracefully: out of the cluster until it rejoins with a higher incarnation.</summary>
    Removed = 5,
}
