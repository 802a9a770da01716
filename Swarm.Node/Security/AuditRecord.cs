namespace Swarm.Node.Security;

/// <summary>One line of the node's audit log: at <paramref name="Time"/>, <paramref name="Actor"/> did
/// <paramref name="Action"/> to <paramref name="Task"/> and it ended as <paramref name="Outcome"/>.</summary>
/// <param name="Time">UTC, when the node recorded it.</param>
/// <param name="Action">submit, approve, reject, cancel (an operator's request), propose (a peer asked this node to
/// take part), resume (a task checked again at the node's start), login (a dashboard sign-in), request (a request
/// refused before it reached an endpoint).</param>
/// <param name="Task">The task id; empty when the request named none that could be read.</param>
/// <param name="Actor">Who: <c>operator</c> (the holder of the admin token, with the local user of the client's
/// socket when the node can see it), <c>anonymous</c> (no or a wrong token), <c>node:&lt;id&gt;</c> (a peer), or
/// <c>policy</c> (this node's own rules).</param>
/// <param name="Outcome">e.g. started, refused, awaiting-approval, approved, rejected, cancelled, denied, not-found.</param>
/// <param name="Detail">The reason or error, when there is one.</param>
/// <param name="Client">The client's address for requests over HTTP.</param>
public sealed record AuditRecord(DateTimeOffset Time, string Action, string Task, string Actor, string Outcome, string? Detail = null, string? Client = null);
