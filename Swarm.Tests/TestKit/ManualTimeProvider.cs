namespace Swarm.Tests.TestKit;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when a test calls <see cref="Advance"/>. Timers fire during
/// Advance, on the calling thread, in due order (ties in creation order); a periodic timer fires once per period
/// passed. Microsoft.Extensions.TimeProvider.Testing does not restore here, hence this class.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _active = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private DateTimeOffset _now;
    private long _sequence;

    public ManualTimeProvider(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>How long until each active timer fires, soonest first.</summary>
    public IReadOnlyList<TimeSpan> PendingDueIn
    {
        get
        {
            lock (_gate)
            {
                return [.. _active.Select(t => t.Due - _now).Order()];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Completes once at least <paramref name="count"/> timers are active: a barrier for "the actor has
    /// scheduled its timer" that needs no sleeping.</summary>
    public Task WaitForActiveTimersAsync(int count, TimeSpan timeout, string phase)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_active.Count >= count)
            {
                return Task.CompletedTask;
            }
            _waiters.Add((count, done));
        }
        return WaitAsync(done.Task, timeout, $"{phase}: waiting for {count} active timer(s)");
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }
        while (NextDue(target) is { } fire)
        {
            fire.Callback(fire.State);
        }
    }

    /// <summary>Takes the earliest timer due by <paramref name="target"/>, moves the clock to it and re-arms or
    /// retires it; when none is due, moves the clock to <paramref name="target"/> and returns null.</summary>
    private ManualTimer? NextDue(DateTimeOffset target)
    {
        lock (_gate)
        {
            ManualTimer? next = null;
            foreach (var timer in _active)
            {
                if (timer.Due <= target && (next is null || timer.Due < next.Due || timer.Due == next.Due && timer.Sequence < next.Sequence))
                {
                    next = timer;
                }
            }
            if (next is null)
            {
                _now = target;
                return null;
            }
            _now = next.Due;
            if (next.Period > TimeSpan.Zero)
            {
                next.Due += next.Period;
            }
            else
            {
                _active.Remove(next);
            }
            return next;
        }
    }

    internal void Arm(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            _active.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }
            ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
            timer.Due = _now + dueTime;
            timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            timer.Sequence = ++_sequence;
            _active.Add(timer);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_active.Count >= _waiters[i].Count)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    internal void Disarm(ManualTimer timer)
    {
        lock (_gate)
        {
            _active.Remove(timer);
        }
    }

    private static async Task WaitAsync(Task task, TimeSpan timeout, string what)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"timed out after {timeout.TotalSeconds:0.#} s {what}");
        }
    }
}
