namespace Swarm.Tests.Blobs;

/// <summary>Time that moves only when a test calls <see cref="Advance"/>; timers fire inside that call.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _ticks;
        }
    }

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(GetTimestamp());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        lock (_gate)
        {
            _timers.Add(timer);
        }
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        long now;
        lock (_gate)
        {
            _ticks += by.Ticks;
            now = _ticks;
        }
        ManualTimer[] timers;
        lock (_gate)
        {
            timers = [.. _timers];
        }
        foreach (var timer in timers)
        {
            timer.FireIfDue(now);
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider time, TimerCallback callback, object? state) : ITimer
    {
        private long _dueTicks = long.MaxValue;
        private long _periodTicks;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _dueTicks = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : time.GetTimestamp() + dueTime.Ticks;
            _periodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            return true;
        }

        public void FireIfDue(long now)
        {
            while (_dueTicks <= now)
            {
                _dueTicks = _periodTicks > 0 ? _dueTicks + _periodTicks : long.MaxValue;
                callback(state);
            }
        }

        public void Dispose() => time.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
