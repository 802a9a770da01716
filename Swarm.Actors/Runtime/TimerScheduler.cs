namespace Swarm.Actors.Runtime;

/// <summary>The timers of one actor. Used only on the actor's own thread; the timer callbacks only Tell.</summary>
internal sealed class TimerScheduler(ActorRef self, TimeProvider time) : ITimerScheduler
{
    private readonly Dictionary<object, Entry> _timers = [];
    private int _generation;

    public void StartSingleTimer(object key, object message, TimeSpan delay) =>
        Start(key, message, delay, Timeout.InfiniteTimeSpan, periodic: false);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval, TimeSpan? initialDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Start(key, message, initialDelay ?? interval, interval, periodic: true);
    }

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var entry))
        {
            entry.Timer.Dispose();
        }
    }

    public void CancelAll()
    {
        foreach (var entry in _timers.Values)
        {
            entry.Timer.Dispose();
        }
        _timers.Clear();
    }

    /// <summary>The message to deliver for a fired timer, or null when the timer is stale.</summary>
    public object? Fired(TimerMessage fired)
    {
        if (!_timers.TryGetValue(fired.Key, out var entry) || entry.Generation != fired.Generation)
        {
            return null;
        }
        if (!entry.Periodic)
        {
            _timers.Remove(fired.Key);
            entry.Timer.Dispose();
        }
        return entry.Message;
    }

    private void Start(object key, object message, TimeSpan due, TimeSpan period, bool periodic)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        Cancel(key);
        var fired = new TimerMessage(key, ++_generation);
        var timer = time.CreateTimer(static state => ((Tick)state!).Fire(), new Tick(self, fired), due, period);
        _timers[key] = new Entry(fired.Generation, message, periodic, timer);
    }

    private sealed record Entry(int Generation, object Message, bool Periodic, ITimer Timer);

    private sealed record Tick(ActorRef Self, TimerMessage Message)
    {
        public void Fire() => Self.Tell(Message, Self);
    }
}
