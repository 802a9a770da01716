using Swarm.Tasks;

namespace Swarm.Tests.Tasks.Simulation;

/// <summary>One simulated site: its <see cref="TaskSite"/> (rebuilt on a restart), what survives a crash (its
/// ledger height and blobs), and what the checks need (its own recomputations, the models it adopted).</summary>
public sealed class TaskSimSite(int index, string id, TaskLie lies)
{
    public int Index { get; } = index;

    public string Id { get; } = id;

    public TaskLie Lies { get; } = lies;

    public bool Honest => Lies == TaskLie.None;

    public TaskSite? Site { get; set; }

    /// <summary>Started and not crashed since.</summary>
    public bool Up { get; set; }

    /// <summary>Bumped on every crash, so that events meant for an earlier life are dropped.</summary>
    public int Life { get; set; }

    /// <summary>Bumped on every deadline set, so that only the latest one fires.</summary>
    public int DeadlineToken { get; set; }

    /// <summary>How many of the chain's blocks this site's ledger holds.</summary>
    public int LedgerBlocks { get; set; }

    public bool SyncScheduled { get; set; }

    public Dictionary<(BlobKind, string), byte[]> Blobs { get; } = [];

    /// <summary>The hashes of the updates this site trained (what a withholder keeps to itself).</summary>
    public HashSet<string> OwnUpdates { get; } = [];

    /// <summary>The model hash this site computed itself for each round, as it voted it (before any lie).</summary>
    public Dictionary<(int Round, string UpdateSet), string> OwnModels { get; } = [];

    /// <summary>The model hash this site adopted for each round.</summary>
    public Dictionary<int, string> Adopted { get; } = [];

    public TaskState? Ended { get; set; }

    public int Restarts { get; set; }

    /// <summary>Went down for good in a secure-aggregation drop.</summary>
    public bool Dropped { get; set; }

    /// <summary>The plain update the fake trainer gave for each round (before any masking), for the tests' FedAvg.</summary>
    public Dictionary<int, PublishedUpdate> Trained { get; } = [];

    /// <summary>The parameters of each round's model this site adopted.</summary>
    public Dictionary<int, float[]> AdoptedParameters { get; } = [];

    public string StatusLine() =>
        $"  site-{Index} [{(Honest ? "honest" : Lies.ToString())}{(Up ? "" : ", down")}{(Restarts > 0 ? $", restarted {Restarts}×" : "")}] " +
        $"ledger {LedgerBlocks} blocks, adopted rounds {string.Join(",", Adopted.Keys.Order())}: " + (Site?.StatusLine() ?? "not started");
}
