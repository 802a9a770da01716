namespace Swarm.Node.Configuration;

/// <summary><c>tasks { consent-timeout, start-timeout, tasks-max, running-max, disk-per-task-max }</c>: the task manager's
/// limits (docs/tasks.md, "Many chains on one node").</summary>
public sealed record TaskSettings : ISettingsSection
{
    /// <summary>How long a submitting node waits for every participant's answer.</summary>
    [DurationRange("1s", "5m")]
    public TimeSpan ConsentTimeout { get; init; }

    /// <summary>How long a consenting node waits for the submitter's start or abort before it forgets the task.</summary>
    [DurationRange("1s", "1h")]
    public TimeSpan StartTimeout { get; init; }

    /// <summary>Most tasks (any state) and submissions a node keeps.</summary>
    [SettingRange(1, 1_000_000)]
    public int TasksMax { get; init; }

    /// <summary>Most tasks this node takes part in at once (consented, waiting for approval, starting or running: each
    /// one a chain, its actors and its blobs); a task over it is refused at consent with the reason.</summary>
    [SettingRange(1, 10_000)]
    public int RunningMax { get; init; }

    /// <summary>Most bytes of blobs (updates and models) one task may keep under the node's data directory; a task
    /// whose next blob would pass it stops on this node (Failed, with the reason).</summary>
    [SizeRange("1MiB", "16TiB")]
    public long DiskPerTaskMax { get; init; }

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        if (StartTimeout < ConsentTimeout)
        {
            yield return new SettingsProblem("start-timeout", "is shorter than tasks.consent-timeout",
                "a participant must wait for the decision at least as long as the submitter waits for answers");
        }
    }
}
