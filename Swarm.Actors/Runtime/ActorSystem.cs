using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Swarm.Actors.Runtime;

/// <summary>
/// The actors of one node. Its name is the node id, so every actor here has the address
/// <c>swarm://node-id/user/...</c>; refs to other node ids go through the <see cref="IRemoteTransport"/>.
/// Stop it with <see cref="ShutdownAsync"/>: top-level actors stop phase by phase, each subtree depth first.
/// </summary>
public sealed class ActorSystem : IAsyncDisposable
{
    private readonly ActorCell _guardian;
    private readonly ConcurrentDictionary<string, ActorRef> _temp = new(StringComparer.Ordinal);
    private readonly Lock _shutdownGate = new();
    private readonly ILogger _log;
    private Task? _shutdown;
    private long _deadLetterCount;
    private long _tempId;

    public ActorSystem(string nodeId, ActorSystemSettings? settings = null, TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        RootPath = ActorPath.Root(nodeId);
        Settings = (settings ?? new ActorSystemSettings()).Validate();
        TimeProvider = timeProvider ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _log = LoggerFactory.CreateLogger<ActorSystem>();
        DeadLetters = new DeadLetterActorRef(this, RootPath.Child("deadLetters"), "sent to dead letters");
        _guardian = new ActorCell(this, Props.Create<GuardianActor>(), parent: null, RootPath.Child("user"));
        _guardian.SendSystemMessage(Create.Instance);
    }

    /// <summary>The node id.</summary>
    public string Name => RootPath.NodeId;

    /// <summary><c>swarm://node-id</c>.</summary>
    public ActorPath RootPath { get; }

    public ActorSystemSettings Settings { get; }

    /// <summary>The clock of timers, ask timeouts and restart back-off (fake in tests).</summary>
    public TimeProvider TimeProvider { get; }

    public ILoggerFactory LoggerFactory { get; }

    public EventStream EventStream { get; } = new();

    /// <summary>Where undeliverable messages go; whatever is told to it is published as <see cref="DeadLetter"/>.</summary>
    public ActorRef DeadLetters { get; }

    /// <summary>How many messages could not be delivered since the system started.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetterCount);

    /// <summary>The transport to other nodes, or null while this node runs alone.</summary>
    public IRemoteTransport? RemoteTransport { get; private set; }

    /// <summary>Completes when <see cref="ShutdownAsync"/> has stopped every actor.</summary>
    public Task WhenTerminated => _guardian.WhenTerminated;

    /// <summary>Install the transport that reaches other nodes (once; a transport needs the system to exist first).</summary>
    public void AttachTransport(IRemoteTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (RemoteTransport is not null)
        {
            throw new InvalidOperationException($"actor system {Name} already has a remote transport");
        }
        RemoteTransport = transport;
    }

    /// <summary>Create a top-level actor (<c>/user/name</c>).</summary>
    public ActorRef ActorOf(Props props, string? name = null)
    {
        if (_shutdown is not null)
        {
            throw new InvalidOperationException($"actor system {Name} is shutting down");
        }
        return _guardian.ActorOf(props, name);
    }

    /// <summary>Stop any actor; its children stop first.</summary>
    public void Stop(ActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.SendSystemMessage(Terminate.Instance);
    }

    /// <summary>
    /// The ref for an address: a live local actor, a remote ref (other node id), or, when no local actor has that
    /// path, a ref whose messages become dead letters.
    /// </summary>
    public ActorRef ResolvePath(ActorPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!string.Equals(path.NodeId, Name, StringComparison.Ordinal))
        {
            return new RemoteActorRef(this, path);
        }
        var elements = path.Elements;
        if (elements.Count == 2 && elements[0] == "temp" && _temp.TryGetValue(elements[1], out var temp))
        {
            return temp;
        }
        if (elements.Count > 0 && elements[0] == "user")
        {
            var cell = _guardian;
            for (var i = 1; i < elements.Count && cell is not null; i++)
            {
                cell = cell.FindChild(elements[i]);
            }
            if (cell is not null)
            {
                return cell.Self;
            }
        }
        return new DeadLetterActorRef(this, path, "no actor at this path");
    }

    /// <summary>Entry point of the transport for messages from other nodes: resolves the local recipient (and the
    /// remote sender) and tells it.</summary>
    public void DeliverFromRemote(ActorPath recipient, object message, ActorPath? sender)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(message);
        var target = ResolvePath(recipient);
        if (target is RemoteActorRef)
        {
            PublishDeadLetter(message, sender is null ? null : ResolvePath(sender), target,
                $"arrived at node '{Name}' for another node");
            return;
        }
        target.Tell(message, sender is null ? null : ResolvePath(sender));
    }

    /// <summary>
    /// Stops every actor and completes when all have stopped. Top-level actors stop by <see cref="Props.ShutdownPhase"/>
    /// (lowest first; the next phase starts when the previous one has fully stopped); within an actor's subtree
    /// children stop before their parent. Calling it again returns the same task.
    /// </summary>
    public Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        lock (_shutdownGate)
        {
            return _shutdown ??= RunShutdownAsync();
        }
        async Task RunShutdownAsync()
        {
            await Task.Yield();
            foreach (var phase in _guardian.ChildCells().GroupBy(c => c.Props.ShutdownPhase).OrderBy(g => g.Key))
            {
                _log.LogDebug("actor system {Name}: stopping shutdown phase {Phase}", Name, phase.Key);
                foreach (var cell in phase)
                {
                    cell.SendSystemMessage(Terminate.Instance);
                }
                await Task.WhenAll(phase.Select(c => c.WhenTerminated)).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            _guardian.SendSystemMessage(Terminate.Instance);
            await _guardian.WhenTerminated.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    internal void PublishDeadLetter(object message, ActorRef? sender, ActorRef recipient, string reason)
    {
        Interlocked.Increment(ref _deadLetterCount);
        if (message is DeadLetter)
        {
            return; // a dead letter that cannot reach its subscriber is only counted: no loops
        }
        EventStream.Publish(new DeadLetter(message, sender, recipient, reason));
    }

    internal void OnActorStopped(ActorRef actor) => EventStream.Unsubscribe(actor);

    internal ActorPath NextTempPath(string prefix) =>
        RootPath.Child("temp").Child($"{prefix}-{Interlocked.Increment(ref _tempId)}");

    internal void RegisterTemp(ActorRef temp) => _temp[temp.Path.Name] = temp;

    internal void UnregisterTemp(ActorRef temp) => _temp.TryRemove(temp.Path.Name, out _);
}
