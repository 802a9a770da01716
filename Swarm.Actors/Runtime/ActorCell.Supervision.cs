using Microsoft.Extensions.Logging;

namespace Swarm.Actors.Runtime;

/// <summary>
/// Supervision, one-for-one: a child's failure is decided for that child alone by this actor's
/// <see cref="Actor.SupervisorStrategy"/>; siblings keep running whatever the decision.
/// </summary>
internal sealed partial class ActorCell
{
    private readonly Dictionary<string, RestartStatistics> _restartStatistics = new(StringComparer.Ordinal);

    private void HandleChildFailure(Failed failed)
    {
        if (failed.Child is not LocalActorRef { Cell: var child } || FindChild(child.Self.Path.Name) != child || _terminating)
        {
            return; // a stale report from a child that is already gone or being stopped
        }
        var (strategy, directive) = Decide(failed.Cause);
        if (directive == Directive.Escalate && _parent is null)
        {
            directive = Directive.Stop; // nobody above a guardian: a top-level actor that escalates is stopped
        }
        Log.LogWarning(failed.Cause, "{Child} failed; supervisor {Path} decides {Directive}", child.Self.Path, Self.Path, directive);
        switch (directive)
        {
            case Directive.Resume:
                child.SendSystemMessage(Resume.Instance);
                break;
            case Directive.Restart:
                RestartChild(child, failed.Cause, strategy);
                break;
            case Directive.Stop:
                Stop(child.Self);
                break;
            case Directive.Escalate:
                Fail(failed.Cause, message: null);
                break;
            default:
                throw new InvalidOperationException($"unknown directive {directive}");
        }
    }

    /// <summary>Runs user code (the strategy property and its decider); if that throws, this actor cannot
    /// supervise, so the failure goes up to the grandparent.</summary>
    private (SupervisorStrategy Strategy, Directive Directive) Decide(Exception cause)
    {
        var strategy = SupervisorStrategy.Default;
        try
        {
            strategy = _actor?.SupervisorStrategy ?? SupervisorStrategy.Default;
            return (strategy, strategy.Decider(cause));
        }
        catch (Exception)
        {
            return (strategy, Directive.Escalate);
        }
    }

    private void RestartChild(ActorCell child, Exception cause, SupervisorStrategy strategy)
    {
        var name = child.Self.Path.Name;
        if (!_restartStatistics.TryGetValue(name, out var statistics))
        {
            statistics = new RestartStatistics();
            _restartStatistics.Add(name, statistics);
        }
        if (!statistics.TryCount(strategy, _system.TimeProvider.GetUtcNow()))
        {
            Log.LogError(cause, "{Child} exceeded {Max} restarts within {Window}; stopping it",
                child.Self.Path, strategy.MaxRestarts, strategy.Window);
            Stop(child.Self);
            return;
        }
        var recreate = new Recreate(cause);
        var delay = strategy.Backoff(statistics.Count);
        if (delay <= TimeSpan.Zero)
        {
            child.SendSystemMessage(recreate);
            return;
        }
        statistics.CancelPending();
        statistics.PendingRestart = _system.TimeProvider.CreateTimer(
            static state => ((RestartLater)state!).Fire(), new RestartLater(child, recreate), delay, Timeout.InfiniteTimeSpan);
    }

    private void ForgetChild(ActorCell child)
    {
        lock (_children)
        {
            if (_children.TryGetValue(child.Self.Path.Name, out var current) && current == child)
            {
                _children.Remove(child.Self.Path.Name);
            }
        }
        _childrenStopping.Remove(child);
        if (_restartStatistics.Remove(child.Self.Path.Name, out var statistics))
        {
            statistics.CancelPending();
        }
    }

    private void CancelPendingRestarts()
    {
        foreach (var statistics in _restartStatistics.Values)
        {
            statistics.CancelPending();
        }
    }

    private sealed record RestartLater(ActorCell Child, Recreate Message)
    {
        public void Fire() => Child.SendSystemMessage(Message);
    }
}
