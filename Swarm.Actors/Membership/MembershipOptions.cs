namespace Swarm.Actors.Membership;

/// <summary>Plain settings of <see cref="MembershipState"/> (the node maps <c>gossip { ... }</c> onto them).</summary>
/// <param name="DownAfter">How long a member stays unreachable before it is declared down.</param>
/// <param name="FailureDetector">Settings of each peer's φ accrual detector.</param>
/// <param name="GossipFanout">Peers gossiped to per round, picked at random.</param>
public sealed record MembershipOptions(TimeSpan DownAfter, FailureDetectorOptions FailureDetector, int GossipFanout = 1);
