namespace Swarm.Node.Configuration;

/// <summary><c>gossip { interval, phi-threshold, down-after }</c>: membership gossip and the phi accrual failure
/// detector (Hayashibara et al., "The φ Accrual Failure Detector", SRDS 2004).</summary>
public sealed record GossipSettings : ISettingsSection
{
    [DurationRange("10ms", "1m")]
    public TimeSpan Interval { get; init; }

    [SettingRange(1, 100)]
    public double PhiThreshold { get; init; }

    [DurationRange("10ms", "1h")]
    public TimeSpan DownAfter { get; init; }

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        if (DownAfter < Interval)
        {
            yield return new SettingsProblem("down-after", "is shorter than gossip.interval", "make down-after several gossip intervals long");
        }
    }
}
