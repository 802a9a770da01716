namespace Swarm.Node.Service;

/// <summary>The JSON body of <c>GET /health</c> (read back by <c>swarm status</c>): this node (its status in the
/// cluster and the incarnation it keeps in its store, one more at every start) and every member of the consortium as
/// this node's Akka.Cluster sees it (<see cref="Clustering.ClusterMembers"/>); <paramref name="Consortium"/> is the
/// version label of the consortium file in force here (<see cref="Identity.Consortium.VersionLabel"/>; null alone).</summary>
public sealed record HealthReport(string Node, string Status, long Incarnation, double UptimeSeconds, IReadOnlyList<MemberReport> Members,
    string? Consortium = null);

/// <summary>One member in <see cref="HealthReport"/>: <paramref name="Uid"/> is Akka's unique id of its actor system
/// (new at each start; 0 when absent). <paramref name="Consortium"/> is the version label of the consortium file the
/// member said it has in force (<see cref="Clustering.ConsortiumHello"/>; null before it said), and
/// <paramref name="ConsortiumMismatch"/> is true when that is not this node's.</summary>
public sealed record MemberReport(string Node, long Uid, string Status, string? Consortium = null, bool ConsortiumMismatch = false);

/// <summary>The JSON answer of <c>POST /admin/consortium/reload</c>: whether the file went in force, the version labels
/// before and after, the members added, removed and changed, or why the file was refused.</summary>
public sealed record ConsortiumReloadResult(bool Applied, string Before, string After, IReadOnlyList<string> Added, IReadOnlyList<string> Removed,
    IReadOnlyList<string> Changed, string? Problem);
