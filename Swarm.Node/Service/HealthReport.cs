namespace Swarm.Node.Service;

/// <summary>The JSON body of <c>GET /health</c> (read back by <c>swarm status</c>): this node (its status in the
/// cluster and the incarnation it keeps in its store, one more at every start) and every member of the consortium as
/// this node's Akka.Cluster sees it (<see cref="Clustering.ClusterMembers"/>).</summary>
public sealed record HealthReport(string Node, string Status, long Incarnation, double UptimeSeconds, IReadOnlyList<MemberReport> Members);

/// <summary>One member in <see cref="HealthReport"/>: <paramref name="Uid"/> is Akka's unique id of its actor system
/// (new at each start; 0 when absent).</summary>
public sealed record MemberReport(string Node, long Uid, string Status);
