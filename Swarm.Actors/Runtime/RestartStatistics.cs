namespace Swarm.Actors.Runtime;

/// <summary>A supervisor's record of one child's restarts in the current window, and the pending back-off timer.</summary>
internal sealed class RestartStatistics
{
    private DateTimeOffset _windowStart;

    /// <summary>Restarts counted in the current window.</summary>
    public int Count { get; private set; }

    /// <summary>The back-off timer of a restart not yet carried out (kept so it is not collected and can be cancelled).</summary>
    public ITimer? PendingRestart { get; set; }

    /// <summary>Counts one more restart at <paramref name="now"/>; false when the strategy's limit is exceeded.</summary>
    public bool TryCount(SupervisorStrategy strategy, DateTimeOffset now)
    {
        if (Count == 0 || now - _windowStart > strategy.Window)
        {
            _windowStart = now;
            Count = 0;
        }
        Count++;
        return Count <= strategy.MaxRestarts;
    }

    public void CancelPending()
    {
        PendingRestart?.Dispose();
        PendingRestart = null;
    }
}
