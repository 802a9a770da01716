namespace Swarm.Tests.TestKit;

/// <summary>A timer of <see cref="ManualTimeProvider"/>; its fields are guarded by the provider's lock.</summary>
internal sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
{
    public TimerCallback Callback { get; } = callback;

    public object? State { get; } = state;

    public DateTimeOffset Due { get; set; }

    public TimeSpan Period { get; set; }

    public long Sequence { get; set; }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        owner.Arm(this, dueTime, period);
        return true;
    }

    public void Dispose() => owner.Disarm(this);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
