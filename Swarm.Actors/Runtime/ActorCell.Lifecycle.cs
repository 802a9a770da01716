using Microsoft.Extensions.Logging;

namespace Swarm.Actors.Runtime;

/// <summary>
/// Lifecycle: system messages, creation, restart and the ordered stop. A stop is depth first: the cell asks every
/// child to stop and finishes (PostStop, dead-lettering its mailbox, telling watchers) only when the last child has
/// reported its death, so children always run PostStop before their parent.
/// </summary>
internal sealed partial class ActorCell
{
    private readonly HashSet<ActorCell> _childrenStopping = [];
    private Actor? _actor;
    private bool _suspended;
    private bool _terminating;
    private volatile bool _terminated;
    private Exception? _pendingRestartCause;
    private Exception? _lastFailure;
    private object? _failedMessage;

    private void ProcessSystemMessages()
    {
        while (_systemMessages.TryDequeue(out var message))
        {
            if (_terminated)
            {
                AnswerAfterDeath(message);
                continue;
            }
            switch (message)
            {
                case Create:
                    CreateInstance(restartCause: null);
                    break;
                case Terminate:
                    BeginTerminate();
                    break;
                case Resume:
                    HandleResume();
                    break;
                case Recreate recreate:
                    BeginRestart(recreate.Cause);
                    break;
                case Failed failed:
                    HandleChildFailure(failed);
                    break;
                case Watch watch:
                    HandleWatch(watch);
                    break;
                case Unwatch unwatch:
                    HandleUnwatch(unwatch);
                    break;
                case DeathWatchNotification death:
                    HandleDeath(death.Actor);
                    break;
                default:
                    throw new InvalidOperationException($"unknown system message {message.GetType().Name}");
            }
        }
    }

    /// <summary>A stopped cell still answers watches, so watching an already-dead actor yields Terminated.</summary>
    private void AnswerAfterDeath(SystemMessage message)
    {
        if (message is Watch watch && !watch.Watcher.Equals(Self))
        {
            watch.Watcher.SendSystemMessage(new DeathWatchNotification(Self));
        }
    }

    private void CreateInstance(Exception? restartCause)
    {
        _behavior = null;
        try
        {
            _constructing = this;
            _actor = Props.Factory();
        }
        catch (Exception exception)
        {
            Fail(exception, message: null);
            return;
        }
        finally
        {
            _constructing = null;
        }
        try
        {
            if (restartCause is null)
            {
                _actor.PreStart();
            }
            else
            {
                _actor.PostRestart(restartCause);
            }
        }
        catch (Exception exception)
        {
            Fail(exception, message: null);
            return;
        }
        _suspended = false;
    }

    /// <summary>The actor threw: stop taking user messages and let the parent's strategy decide.</summary>
    private void Fail(Exception exception, object? message)
    {
        _suspended = true;
        _lastFailure = exception;
        _failedMessage = message;
        if (_parent is null)
        {
            Log.LogCritical(exception, "{Path} (a guardian) failed and stops", Self.Path);
            BeginTerminate();
            return;
        }
        _parent.SendSystemMessage(new Failed(Self, exception));
    }

    private void HandleResume()
    {
        if (!_suspended || _pendingRestartCause is not null)
        {
            return;
        }
        if (_actor is null)
        {
            // The instance was never built (constructor or PreStart threw): resuming means trying again.
            CreateInstance(_lastFailure);
            return;
        }
        _suspended = false;
        // Children that escalated to this actor wait suspended for its fate; resuming it resumes them.
        foreach (var child in ChildCells())
        {
            child.SendSystemMessage(Resume.Instance);
        }
    }

    private void BeginRestart(Exception cause)
    {
        if (_terminating || _pendingRestartCause is not null)
        {
            return;
        }
        _timers?.CancelAll();
        if (_actor is not null)
        {
            try
            {
                _actor.PreRestart(cause, _failedMessage);
            }
            catch (Exception exception)
            {
                Log.LogError(exception, "{Path} threw in PreRestart; restarting anyway", Self.Path);
            }
        }
        _actor = null;
        _failedMessage = null;
        _pendingRestartCause = cause;
        if (_childrenStopping.Count == 0)
        {
            FinishRestart();
        }
    }

    /// <summary>All children stopped by PreRestart are gone: build the fresh instance (state reset).</summary>
    private void FinishRestart()
    {
        var cause = _pendingRestartCause!;
        _pendingRestartCause = null;
        CreateInstance(cause);
    }

    private void BeginTerminate()
    {
        List<ActorCell> children;
        lock (_children)
        {
            if (_terminating || _terminated)
            {
                return;
            }
            _terminating = true;
            children = [.. _children.Values];
        }
        _timers?.CancelAll();
        CancelPendingRestarts();
        foreach (var child in children)
        {
            _childrenStopping.Add(child);
            child.SendSystemMessage(Terminate.Instance);
        }
        if (children.Count == 0)
        {
            FinishTerminate();
        }
    }

    private void FinishTerminate()
    {
        if (_actor is not null)
        {
            try
            {
                _actor.PostStop();
            }
            catch (Exception exception)
            {
                Log.LogError(exception, "{Path} threw in PostStop", Self.Path);
            }
        }
        _actor = null;
        _behavior = null;
        _terminated = true;
        _mailbox.Writer.TryComplete();
        while (_mailbox.Reader.TryRead(out var envelope))
        {
            if (envelope.Message is not AutoReceived)
            {
                _system.PublishDeadLetter(envelope.Message, envelope.Sender, Self, "recipient stopped");
            }
        }
        NotifyDeath();
        _whenTerminated.TrySetResult();
    }
}
