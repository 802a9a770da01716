namespace Swarm.Actors.Runtime;

/// <summary>
/// An actor's timers. Each timer has a key; starting a timer with a key in use replaces it, and a cancelled or
/// replaced timer never delivers its message, even if it had already fired and its message was in the mailbox.
/// Timers run on the system's <see cref="TimeProvider"/> and are all cancelled when the actor stops or restarts.
/// </summary>
public interface ITimerScheduler
{
    /// <summary>Deliver <paramref name="message"/> to Self once after <paramref name="delay"/>.</summary>
    void StartSingleTimer(object key, object message, TimeSpan delay);

    /// <summary>Deliver <paramref name="message"/> to Self every <paramref name="interval"/>, the first time after
    /// <paramref name="initialDelay"/> (or one interval when null).</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval, TimeSpan? initialDelay = null);

    /// <summary>Whether a timer with this key is active.</summary>
    bool IsTimerActive(object key);

    /// <summary>Cancel the timer with this key (nothing happens when there is none).</summary>
    void Cancel(object key);

    /// <summary>Cancel every timer.</summary>
    void CancelAll();
}
