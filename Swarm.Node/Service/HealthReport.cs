namespace Swarm.Node.Service;

/// <summary>The JSON body of <c>GET /health</c> (read back by <c>swarm status</c>): this node and every member it
/// knows, with statuses in lower case (joining, up, unreachable, leaving, down, removed).</summary>
public sealed record HealthReport(string Node, string Status, long Incarnation, double UptimeSeconds, IReadOnlyList<MemberReport> Members);

/// <summary>One member in <see cref="HealthReport"/>; <paramref name="Phi"/> is this node's suspicion of it (0 for
/// itself and for members that are not alive).</summary>
public sealed record MemberReport(string Node, long Incarnation, string Status, double Phi);
