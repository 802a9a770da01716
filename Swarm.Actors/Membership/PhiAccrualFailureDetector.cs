namespace Swarm.Actors.Membership;

/// <summary>The φ accrual failure detector of Hayashibara, Défago, Yared and Katayama ("The φ Accrual Failure
/// Detector", SRDS 2004, section 3): instead of a yes/no answer it reports φ = −log10(P_later(Δt)), where Δt is the
/// time since the last heartbeat and P_later the probability, under a normal distribution fitted to the recent
/// inter-arrival times, that a heartbeat arrives even later. φ = 8 means the chance of a mistake is about 1e-8.
/// Pure: the arrival times are inputs (time since an arbitrary origin), nothing reads a clock.</summary>
public sealed class PhiAccrualFailureDetector
{
    private readonly FailureDetectorOptions _options;
    private readonly HeartbeatHistory _history;
    private TimeSpan? _lastArrival;

    public PhiAccrualFailureDetector(FailureDetectorOptions options)
    {
        _options = options;
        _history = new HeartbeatHistory(options.SamplesMax);
    }

    /// <summary>True once at least one heartbeat arrived; before that φ is 0 (nothing to judge by).</summary>
    public bool HasHeartbeat => _lastArrival is not null;

    public void Heartbeat(TimeSpan now)
    {
        if (_lastArrival is { } last)
        {
            var interval = (now - last).TotalMilliseconds;
            if (interval >= 0)
            {
                _history.Add(interval);
            }
        }
        else
        {
            // Seed the window with the expected interval (mean = estimate, deviation = estimate / 4), so a peer
            // that sends one heartbeat and dies is still detected.
            var estimate = _options.FirstHeartbeatEstimate.TotalMilliseconds;
            _history.Add(estimate - (estimate / 4));
            _history.Add(estimate + (estimate / 4));
        }
        _lastArrival = now;
    }

    public double Phi(TimeSpan now)
    {
        if (_lastArrival is not { } last)
        {
            return 0;
        }
        var elapsed = (now - last).TotalMilliseconds;
        // The acceptable pause shifts the mean (tolerated GC pauses, busy links); the deviation floor keeps a
        // perfectly regular history from making φ jump on the first late millisecond.
        var mean = _history.Mean + _options.AcceptableHeartbeatPause.TotalMilliseconds;
        var deviation = Math.Max(_history.StdDeviation, _options.MinStdDeviation.TotalMilliseconds);
        return PhiOf(elapsed, mean, deviation);
    }

    public bool IsAvailable(TimeSpan now) => Phi(now) < _options.PhiThreshold;

    /// <summary>φ for a normal distribution, using the logistic approximation of its CDF by Bowling, Khasawneh,
    /// Kaewkuekool and Cho ("A logistic approximation to the cumulative normal distribution", 2009):
    /// Φ(y) ≈ 1 / (1 + e^(−y(1.5976 + 0.070566 y²))), accurate to about 1.4e-4 and never exactly 0 or 1.</summary>
    public static double PhiOf(double elapsedMs, double meanMs, double deviationMs)
    {
        var y = (elapsedMs - meanMs) / deviationMs;
        var e = Math.Exp(-y * (1.5976 + (0.070566 * y * y)));
        // P_later = 1 − Φ(y) = e / (1 + e); written two ways to stay accurate on both sides of the mean.
        var later = elapsedMs > meanMs ? e / (1.0 + e) : 1.0 - (1.0 / (1.0 + e));
        return later <= 0 ? double.MaxValue : -Math.Log10(later);
    }
}
