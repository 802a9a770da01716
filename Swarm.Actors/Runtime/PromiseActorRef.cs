namespace Swarm.Actors.Runtime;

/// <summary>
/// The temporary ref behind an ask (<c>swarm://node/temp/ask-N</c>): the first message told to it completes the ask;
/// the timeout runs on the system's <see cref="TimeProvider"/> so tests can drive it with fake time.
/// </summary>
internal sealed class PromiseActorRef : ActorRef
{
    private readonly TaskCompletionSource<object?> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;

    private PromiseActorRef(ActorSystem system, ActorPath path)
        : base(system, path)
    {
    }

    internal static Task<object?> Ask(ActorRef target, object message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var system = target.System;
        var promise = new PromiseActorRef(system, system.NextTempPath("ask"));
        system.RegisterTemp(promise);
        promise._promise.Task.ContinueWith(
            static (_, state) => ((PromiseActorRef)state!).Cleanup(), promise, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var timeoutException = new AskTimeoutException(target.Path, timeout, message.GetType());
        promise._timer = system.TimeProvider.CreateTimer(
            static state => ((PromiseActorRef)((object[])state!)[0])._promise.TrySetException((Exception)((object[])state)[1]),
            new object[] { promise, timeoutException }, timeout, Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
        {
            promise._cancellation = cancellationToken.Register(
                static state => ((PromiseActorRef)state!)._promise.TrySetCanceled(), promise);
        }
        target.Tell(message, promise);
        return promise._promise.Task;
    }

    public override void Tell(object message, ActorRef? sender = null)
    {
        if (!_promise.TrySetResult(message))
        {
            System.PublishDeadLetter(message, sender, this, "the ask was already answered or timed out");
        }
    }

    private void Cleanup()
    {
        _timer?.Dispose();
        _cancellation.Dispose();
        System.UnregisterTemp(this);
    }
}
