using System.Threading.Channels;

namespace Swarm.Actors.Runtime;

/// <summary>
/// Dispatching. A cell is a thread-pool work item that is queued only when its scheduled flag goes from 0 to 1
/// (one atomic compare-exchange per Tell, no allocation); the work item drains system messages first, then up to
/// <see cref="ActorSystemSettings.Throughput"/> user messages, then clears the flag and re-queues itself if more
/// arrived meanwhile. Only one work item per cell exists at a time, so Receive never runs concurrently.
/// Full mailbox policy: <see cref="Post"/> (Tell) never blocks; a message that does not fit becomes a dead letter
/// (counted in <see cref="ActorSystem.DeadLetterCount"/>). <see cref="PostAsync"/> (TellAsync) waits for space.
/// </summary>
internal sealed partial class ActorCell : IThreadPoolWorkItem
{
    private int _scheduled;
    private ActorRef? _currentSender;

    internal void Post(object message, ActorRef? sender)
    {
        if (_mailbox.Writer.TryWrite(new Envelope(message, sender)))
        {
            Schedule();
            return;
        }
        DeadLetterOnPost(message, sender);
    }

    internal ValueTask PostAsync(object message, ActorRef? sender, CancellationToken cancellationToken)
    {
        if (_mailbox.Writer.TryWrite(new Envelope(message, sender)))
        {
            Schedule();
            return ValueTask.CompletedTask;
        }
        return PostWhenSpaceAsync(new Envelope(message, sender), cancellationToken);
    }

    internal void SendSystemMessage(SystemMessage message)
    {
        _systemMessages.Enqueue(message);
        Schedule();
    }

    public void Execute()
    {
        ProcessSystemMessages();
        ProcessUserMessages();
        // Full fence: a Post that saw the flag still set has already enqueued, so the check below sees its message.
        Interlocked.Exchange(ref _scheduled, 0);
        if (HasWork())
        {
            Schedule();
        }
    }

    private async ValueTask PostWhenSpaceAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        try
        {
            await _mailbox.Writer.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            DeadLetterOnPost(envelope.Message, envelope.Sender);
            return;
        }
        Schedule();
    }

    private void DeadLetterOnPost(object message, ActorRef? sender) =>
        _system.PublishDeadLetter(message, sender, Self,
            _terminated ? "recipient stopped" : $"mailbox full ({_capacity} messages)");

    private void Schedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private bool CanProcessUserMessages =>
        _actor is not null && !_suspended && !_terminating && _pendingRestartCause is null;

    private bool HasWork() =>
        !_systemMessages.IsEmpty
        || CanProcessUserMessages && (_mailbox.Reader.TryPeek(out _) || _pendingTerminated.Count > 0);

    private void ProcessUserMessages()
    {
        var reader = _mailbox.Reader;
        for (var processed = 0; processed < _throughput && CanProcessUserMessages; processed++)
        {
            if (reader.TryRead(out var envelope))
            {
                Invoke(envelope.Message, envelope.Sender);
            }
            else if (_pendingTerminated.Count > 0)
            {
                var dead = _pendingTerminated[0];
                _pendingTerminated.RemoveAt(0);
                Invoke(new TerminatedSignal(dead), dead);
            }
            else
            {
                return;
            }
            if (!_systemMessages.IsEmpty)
            {
                ProcessSystemMessages();
            }
        }
    }

    private object? Unwrap(AutoReceived auto) => auto switch
    {
        TimerMessage timer => _timers?.Fired(timer),
        TerminatedSignal signal => _watching.Remove(signal.Actor) ? new Terminated(signal.Actor) : null,
        _ => throw new InvalidOperationException($"unknown runtime message {auto.GetType().Name}"),
    };

    /// <summary>Runs the actor on one message; an exception suspends the actor and asks the parent what to do.</summary>
    private void Invoke(object message, ActorRef? sender)
    {
        _currentSender = sender;
        try
        {
            if (message is AutoReceived auto)
            {
                if (Unwrap(auto) is not { } unwrapped)
                {
                    return;
                }
                message = unwrapped;
            }
            else if (message is PoisonPill)
            {
                BeginTerminate();
                return;
            }
            if (_behavior is { } behavior)
            {
                behavior(message);
            }
            else
            {
                _actor!.Receive(message);
            }
        }
        catch (Exception exception)
        {
            Fail(exception, message);
        }
        finally
        {
            _currentSender = null;
        }
    }
}
