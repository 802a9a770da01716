namespace Swarm.Tasks;

/// <summary>A task's progress as one node sees it: the round it is in (the last finalized round when completed),
/// the global model hash of the last finalized round, the height of the task's chain, and the blobs the site received
/// per round (<paramref name="Transfers"/>, filled in by the site's adapter, which moves the bytes), and in a local-DP
/// task the ε this site has spent so far (<paramref name="EpsilonSpent"/>, null without DP), and each final round's
/// validation scores as the sites reported them on the chain (<paramref name="Validation"/>, the dashboard's curves), and
/// the timestamp of the chain's latest committed block (<paramref name="LastBlockAt"/>, the proposer's time as the block
/// carries it and the replicas certified it; null before the first block).</summary>
public sealed record TaskProgress(string TaskId, TaskState State, int Round, int Rounds, string? ModelHash, long ChainHeight, string? Detail,
    IReadOnlyList<RoundTransfer>? Transfers = null, double? EpsilonSpent = null, IReadOnlyList<RoundValidation>? Validation = null,
    DateTimeOffset? LastBlockAt = null);

/// <summary>The blobs (updates, models) a site fetched from its peers while it was in round <paramref name="Round"/>:
/// how many, their bytes, and the seconds the fetches took from request to verified last byte, summed (fetches may
/// overlap, so this can exceed the round's wall time).</summary>
public sealed record RoundTransfer(int Round, int Blobs, long Bytes, double Seconds);
