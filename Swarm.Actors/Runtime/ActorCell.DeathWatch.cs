namespace Swarm.Actors.Runtime;

/// <summary>
/// Death watch: a watcher records the watch on its side and sends <see cref="Watch"/> to the watchee; a stopping cell
/// sends <see cref="DeathWatchNotification"/> to its parent and watchers; a watcher queues a
/// <see cref="TerminatedSignal"/> in its own mailbox, which becomes the user-visible <see cref="Terminated"/>.
/// </summary>
internal sealed partial class ActorCell
{
    private readonly HashSet<ActorRef> _watching = [];
    private readonly HashSet<ActorRef> _watchers = [];
    private readonly List<ActorRef> _pendingTerminated = [];

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
            _pendingTerminated.Remove(actor);
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
        if (_watching.Contains(actor))
        {
            EnqueueTerminated(actor);
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

    /// <summary>Queues the Terminated behind the messages already in the mailbox; when the mailbox is full it waits
    /// in a side list that is served once the mailbox has drained, so it is never lost and never overtakes.</summary>
    private void EnqueueTerminated(ActorRef actor)
    {
        if (_terminating || _pendingTerminated.Contains(actor))
        {
            return;
        }
        if (_pendingTerminated.Count > 0 || !_mailbox.Writer.TryWrite(new Envelope(new TerminatedSignal(actor), actor)))
        {
            _pendingTerminated.Add(actor);
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
