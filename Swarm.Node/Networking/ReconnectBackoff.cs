namespace Swarm.Node.Networking;

/// <summary>Exponential back-off with "equal jitter" (half fixed, half random), so that peers that lost each other
/// at the same instant do not redial in lock-step.</summary>
public sealed class ReconnectBackoff(TimeSpan min, TimeSpan max, Random random)
{
    private int _failures;

    public TimeSpan NextDelay()
    {
        var exponent = Math.Min(_failures++, 30);
        var ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (random.NextDouble() * ceiling / 2));
    }

    public void Reset() => _failures = 0;
}
