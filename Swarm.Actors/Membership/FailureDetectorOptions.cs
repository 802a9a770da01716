namespace Swarm.Actors.Membership;

/// <summary>Settings of <see cref="PhiAccrualFailureDetector"/>; read from <c>gossip { ... }</c> by the node.</summary>
/// <param name="PhiThreshold">φ above which the peer counts as unreachable.</param>
/// <param name="FirstHeartbeatEstimate">Expected interval before any is measured (the heartbeat interval).</param>
/// <param name="MinStdDeviation">Floor of the fitted standard deviation.</param>
/// <param name="AcceptableHeartbeatPause">Extra silence tolerated on top of the mean interval.</param>
/// <param name="SamplesMax">Inter-arrival times kept per peer.</param>
public sealed record FailureDetectorOptions(
    double PhiThreshold,
    TimeSpan FirstHeartbeatEstimate,
    TimeSpan MinStdDeviation,
    TimeSpan AcceptableHeartbeatPause,
    int SamplesMax = 200);
