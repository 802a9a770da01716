namespace Swarm.Node.Tasks;

/// <summary><c>tasks.running-max</c>: how many tasks a node takes part in at once. Each task it takes part in has its
/// own chain (journal namespace), task peer, trainer and blob folder, so the limit bounds all of them together.</summary>
public static class RunningLimit
{
    /// <summary>Why a new task is refused, or null while the node takes part in fewer than
    /// <paramref name="runningMax"/> tasks (<paramref name="active"/>: the ids of those it takes part in now).</summary>
    public static string? Problem(string nodeId, int runningMax, IReadOnlyList<string> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        if (active.Count < runningMax)
        {
            return null;
        }
        var shown = string.Join(", ", active.Order(StringComparer.Ordinal).Take(5)) + (active.Count > 5 ? $", … ({active.Count - 5} more)" : "");
        return $"node '{nodeId}' already takes part in {active.Count} tasks ({shown}), its limit tasks.running-max = {runningMax}; "
            + "retry when one has ended, or raise the limit in that node's configuration";
    }
}
