namespace Swarm.Node.Configuration;

/// <summary><c>consensus { ... }</c>: each task chain's PBFT replica (Castro and Liskov, OSDI 1999).</summary>
public sealed record ConsensusSettings : ISettingsSection
{
    /// <summary>Requests ordered in one pre-prepare.</summary>
    [SettingRange(1, 10_000)]
    public int BatchSizeMax { get; init; }

    /// <summary>Sequence numbers between checkpoints (PBFT §4.3, the garbage-collection period K).</summary>
    [SettingRange(1, 1_000_000)]
    public int CheckpointInterval { get; init; }

    /// <summary>How long a backup waits for a request to commit before it starts a view change (PBFT §4.4).</summary>
    [DurationRange("10ms", "10m")]
    public TimeSpan ViewChangeTimeout { get; init; }

    /// <summary>The period of the tick the pure core counts; timeouts become whole numbers of ticks.</summary>
    [DurationRange("1ms", "10s")]
    public TimeSpan TickInterval { get; init; }

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        if (TickInterval > TimeSpan.Zero && ViewChangeTimeout < 2 * TickInterval)
        {
            yield return new SettingsProblem("view-change-timeout", "is shorter than two ticks (consensus.tick-interval)",
                "make view-change-timeout at least twice tick-interval");
        }
    }
}
