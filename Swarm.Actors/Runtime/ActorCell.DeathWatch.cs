namespace Swarm.Actors.Runtime;

/// <summary>
/// Death watch: a watcher records the watch on its side and sends <see cref="Watch"/> to the watchee; a stopping cell
/// sends <see cref="DeathWatchNotification"/> to its parent and watchers, which turn it into a user-visible
/// <see cref="Terminated"/> (still one message at a time, on the watcher's thread).
/// </summary>
internal sealed partial class ActorCell
{
    private readonly HashSet<ActorRef> _watching = [];
    private readonly HashSet<ActorRef> _watchers = [];
    private readonly List<Terminated> _pendingTerminated = [];

    public void Watch(ActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.Equals(Self) && _watching.Add(actor))
        {
            actor.SendSystemMessage(new Watch(actor, Self));
        }
    }

    public void Unwatch(ActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (_watching.Remove(actor))
        {
            actor.SendSystemMessage(new Unwatch(actor, Self));
            _pendingTerminated.RemoveAll(t => t.ActorRef.Equals(actor));
        }
    }

    private void HandleWatch(Watch watch)
    {
        if (watch.Watchee.Equals(Self) && !watch.Watcher.Equals(Self))
        {
            _watchers.Add(watch.Watcher);
        }
    }

    private void HandleUnwatch(Unwatch unwatch)
    {
        if (unwatch.Watchee.Equals(Self))
        {
            _watchers.Remove(unwatch.Watcher);
        }
    }

    private void HandleDeath(ActorRef actor)
    {
        if (actor is LocalActorRef { Cell: var cell } && cell._parent == this)
        {
            ForgetChild(cell);
        }
        if (_watching.Remove(actor))
        {
            DeliverTerminated(new Terminated(actor));
        }
        if (_terminating)
        {
            if (ChildCount() == 0)
            {
                FinishTerminate();
            }
        }
        else if (_pendingRestartCause is not null && _childrenStopping.Count == 0)
        {
            FinishRestart();
        }
    }

    /// <summary>Terminated is delivered like a message; while the actor is suspended or restarting it waits.</summary>
    private void DeliverTerminated(Terminated terminated)
    {
        if (_terminating)
        {
            return;
        }
        if (_actor is null || _suspended || _pendingRestartCause is not null)
        {
            _pendingTerminated.Add(terminated);
            return;
        }
        Invoke(terminated, terminated.ActorRef);
    }

    private void DeliverPendingTerminated()
    {
        while (_pendingTerminated.Count > 0 && _actor is not null && !_suspended)
        {
            var next = _pendingTerminated[0];
            _pendingTerminated.RemoveAt(0);
            Invoke(next, next.ActorRef);
        }
    }

    /// <summary>Tell the parent and every watcher that this actor has stopped, and drop this actor's own watches.</summary>
    private void NotifyDeath()
    {
        foreach (var watched in _watching)
        {
            watched.SendSystemMessage(new Unwatch(watched, Self));
        }
        _watching.Clear();
        _pendingTerminated.Clear();
        var notification = new DeathWatchNotification(Self);
        _parent?.SendSystemMessage(notification);
        foreach (var watcher in _watchers)
        {
            watcher.SendSystemMessage(notification);
        }
        _watchers.Clear();
        _system.OnActorStopped(Self);
    }
}
