namespace Swarm.Tasks;

/// <summary>Whether a task that passes the policy is consented to at once (<see cref="Auto"/>) or waits for the
/// operator's <c>swarm task approve</c> or <c>reject</c> (<see cref="Manual"/>).</summary>
public enum ApprovalMode
{
    Auto,
    Manual,
}
