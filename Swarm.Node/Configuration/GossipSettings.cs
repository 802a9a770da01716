namespace Swarm.Node.Configuration;

/// <summary><c>gossip { interval, phi-threshold, down-after, acceptable-heartbeat-pause, min-std-deviation }</c>: the
/// timings of Akka.Cluster's gossip, its phi accrual failure detector (Hayashibara et al., "The φ Accrual Failure
/// Detector", SRDS 2004) and its split-brain resolver (<see cref="Clustering.ClusterRemoting.Config"/>).</summary>
public sealed record GossipSettings : ISettingsSection
{
    [DurationRange("10ms", "1m")]
    public TimeSpan Interval { get; init; }

    [SettingRange(1, 100)]
    public double PhiThreshold { get; init; }

    [DurationRange("10ms", "1h")]
    public TimeSpan DownAfter { get; init; }

    [DurationRange("0ms", "10m")]
    public TimeSpan AcceptableHeartbeatPause { get; init; }

    [DurationRange("1ms", "1m")]
    public TimeSpan MinStdDeviation { get; init; }

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        if (DownAfter < Interval)
        {
            yield return new SettingsProblem("down-after", "is shorter than gossip.interval", "make down-after several gossip intervals long");
        }
    }
}
