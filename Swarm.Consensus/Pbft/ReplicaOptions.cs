namespace Swarm.Consensus.Pbft;

/// <summary>Local limits and timers of one replica (they need not agree across members). Timers are counted in
/// ticks of the edge's timer; every buffer has a limit so that a flooding peer cannot exhaust memory
/// (mirbft docs/StateMachine.md: unbounded queues destabilise PBFT).</summary>
public sealed record ReplicaOptions
{
    /// <summary>Ticks without progress while requests wait before a backup suspects the primary (§4.4).</summary>
    public int RequestTimeoutTicks { get; init; } = 100;

    /// <summary>Ticks to wait for a new view before moving on; doubles with every attempt (§4.5.2).</summary>
    public int ViewChangeTimeoutTicks { get; init; } = 100;

    /// <summary>Ticks before a state-transfer fetch is retried at another peer.</summary>
    public int FetchTimeoutTicks { get; init; } = 10;

    /// <summary>Blocks the primary may have proposed above the last executed one.</summary>
    public int PipelineBlocksMax { get; init; } = 4;

    /// <summary>Blocks asked for or served in one fetch.</summary>
    public int FetchBlocksMax { get; init; } = 64;

    /// <summary>Messages for views this replica has not entered yet, kept per peer.</summary>
    public int PeerFutureMessagesMax { get; init; } = 256;

    /// <summary>Relayed requests a single peer may have waiting here.</summary>
    public int PeerPendingRequestsMax { get; init; } = 20_000;

    /// <summary>Requests waiting here in all.</summary>
    public int PendingRequestsMax { get; init; } = 200_000;

    /// <summary>Checkpoint messages above the stable checkpoint kept per peer.</summary>
    public int PeerCheckpointVotesMax { get; init; } = 4;

    /// <summary>Highest exponent of the view-change back-off.</summary>
    public int ViewChangeBackoffShiftMax { get; init; } = 6;

    /// <summary>A request is admitted (relayed, proposed, prepared) only if its id is at most this far above the
    /// larger of its client's last executed id (0 before its first) and this replica's clock in microseconds since
    /// the epoch. Task sites number their requests with the microsecond time of submission, counters start near 0;
    /// both fit, while an id far ahead (<c>long.MaxValue</c>) is refused: it would raise its client's duplicate
    /// floor and silence it. Requests are signed by their client, so only the client itself (a bug, or a faulty
    /// client) can send such an id; the window bounds that too. The default, one hour, leaves room for clock skew
    /// between a site and the replicas (tasks allow a minute, <c>ClockSkewMaxMs</c>). Admission is local, so a
    /// replica whose clock is off by more than the window only refuses to vote for that client's requests.</summary>
    public long RequestIdWindowMax { get; init; } = 3_600_000_000;

    /// <summary>Returns an error naming the bad option, or null.</summary>
    public string? Validate()
    {
        if (RequestTimeoutTicks < 1 || ViewChangeTimeoutTicks < 1 || FetchTimeoutTicks < 1)
        {
            return "timeouts must be at least one tick";
        }
        if (PipelineBlocksMax < 1 || FetchBlocksMax < 1)
        {
            return "PipelineBlocksMax and FetchBlocksMax must be at least 1";
        }
        if (RequestIdWindowMax < 1)
        {
            return "RequestIdWindowMax must be at least 1";
        }
        return PeerFutureMessagesMax < 0 || PeerPendingRequestsMax < 1 || PendingRequestsMax < 1 || PeerCheckpointVotesMax < 1
            ? "buffer limits must be positive"
            : null;
    }
}
