using Swarm.Actors.Membership;

namespace Swarm.Actors.Gossip;

/// <summary>The timer message of a gossip round (every <c>gossip.interval</c>).</summary>
public sealed record GossipRound
{
    public static readonly GossipRound Instance = new();
}

/// <summary>Asks the gossip actor for its current view; answered with <see cref="MembershipSnapshot"/>.</summary>
public sealed record GetMembership
{
    public static readonly GetMembership Instance = new();
}

/// <summary>What this node sees: its own entry, the whole view, φ for each live peer and message counters.</summary>
public sealed record MembershipSnapshot(
    Member Self,
    MembershipView View,
    IReadOnlyDictionary<string, double> Phi,
    GossipCounters Counters);

/// <summary>Messages this node's gossip actor sent and received since it started.</summary>
public sealed record GossipCounters(long GossipSent, long GossipReceived, long HeartbeatsSent, long HeartbeatsReceived);

/// <summary>Asks the gossip actor to leave the cluster (graceful shutdown); answered with <see cref="LeftCluster"/>
/// once the Leaving gossip is handed to the transport.</summary>
public sealed record LeaveCluster
{
    public static readonly LeaveCluster Instance = new();
}

/// <summary>The answer to <see cref="LeaveCluster"/>.</summary>
public sealed record LeftCluster(Member Self);
