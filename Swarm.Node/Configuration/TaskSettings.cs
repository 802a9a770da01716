namespace Swarm.Node.Configuration;

/// <summary><c>tasks { consent-timeout, start-timeout, tasks-max }</c>: the task manager's limits (docs/tasks.md).</summary>
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

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        if (StartTimeout < ConsentTimeout)
        {
            yield return new SettingsProblem("start-timeout", "is shorter than tasks.consent-timeout",
                "a participant must wait for the decision at least as long as the submitter waits for answers");
        }
    }
}
