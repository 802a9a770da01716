namespace Swarm.Actors.Runtime;

/// <summary>
/// One-for-one supervision: when a child throws, <see cref="Decider"/> picks a <see cref="Directive"/> for that child
/// alone, so a crashing actor never takes down its siblings. Restarts are limited to <see cref="MaxRestarts"/>
/// within <see cref="Window"/> (beyond that the child is stopped) and delayed by an exponential back-off:
/// <see cref="MinBackoff"/> × 2^(n−1) for the n-th restart in the window, capped at <see cref="MaxBackoff"/>.
/// </summary>
public sealed record SupervisorStrategy
{
    /// <summary>Restart on any exception, at most 10 times a minute, with no back-off (Akka's default, too).</summary>
    public static readonly SupervisorStrategy Default = new(static _ => Directive.Restart);

    /// <summary>Stop a child on any exception.</summary>
    public static readonly SupervisorStrategy StoppingStrategy = new(static _ => Directive.Stop);

    public SupervisorStrategy(Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        Decider = decider;
    }

    /// <summary>Maps the child's exception to a directive.</summary>
    public Func<Exception, Directive> Decider { get; init; }

    /// <summary>Most restarts of one child within <see cref="Window"/>; one more stops it.</summary>
    public int MaxRestarts { get; init; } = 10;

    /// <summary>The sliding window in which restarts are counted.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Delay before the first restart in a window; zero restarts at once.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.Zero;

    /// <summary>Longest delay before a restart.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The delay before the <paramref name="restartNumber"/>-th restart in the window (1-based).</summary>
    public TimeSpan Backoff(int restartNumber)
    {
        if (MinBackoff <= TimeSpan.Zero || restartNumber < 1)
        {
            return TimeSpan.Zero;
        }
        var factor = Math.Pow(2, Math.Min(restartNumber - 1, 30));
        var ticks = Math.Min(MinBackoff.Ticks * factor, MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
