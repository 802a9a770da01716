namespace Swarm.Actors.Membership;

/// <summary>Messages of the membership protocol and the outputs of <see cref="MembershipState"/>. Inputs are the
/// state's methods; outputs are what the actor must carry out.</summary>
public abstract record MembershipOutput;

/// <summary>Send this node's view to <paramref name="To"/> (a gossip round, or the reply of a push-pull exchange).</summary>
public sealed record SendGossip(string To, GossipPayload Gossip) : MembershipOutput;

/// <summary>Send a heartbeat to <paramref name="To"/>, feeding its failure detector for this node.</summary>
public sealed record SendHeartbeat(string To, Heartbeat Heartbeat) : MembershipOutput;

/// <summary>The local view of <paramref name="Current"/>'s node changed (for logs and metrics).</summary>
public sealed record MemberChanged(Member? Previous, Member Current) : MembershipOutput;

/// <summary>A gossip message: the sender's whole view (consortia are small, so whole views are cheap).
/// <paramref name="IsReply"/> marks the pull half of a push-pull exchange, which is never answered again.</summary>
public sealed record GossipPayload(string From, MembershipView View, bool IsReply);

/// <summary>"I am alive": the sender and the incarnation it runs.</summary>
public sealed record Heartbeat(string From, long Incarnation);
