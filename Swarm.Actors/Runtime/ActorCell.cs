using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Swarm.Actors.Runtime;

/// <summary>
/// The runtime side of one actor incarnation: its mailboxes, its instance, its children and watchers. Everything
/// except <see cref="Post"/>, <see cref="SendSystemMessage"/> and the child table runs on whichever thread-pool
/// thread is draining the mailbox, and never on two at once (see ActorCell.Dispatch.cs), so the actor's own state and
/// the cell's bookkeeping need no locks. The partial files: Dispatch (scheduling, user messages), Lifecycle
/// (create, restart, stop), Supervision (children's failures), DeathWatch.
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    [ThreadStatic]
    private static ActorCell? _constructing;

    private readonly ActorSystem _system;
    private readonly ActorCell? _parent;
    private readonly Channel<Envelope> _mailbox;
    private readonly ConcurrentQueue<SystemMessage> _systemMessages = new();
    private readonly Dictionary<string, ActorCell> _children = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _whenTerminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _capacity;
    private readonly int _throughput;
    private int _nextChildId;
    private Action<object>? _behavior;
    private TimerScheduler? _timers;
    private ILogger? _log;

    internal ActorCell(ActorSystem system, Props props, ActorCell? parent, ActorPath path)
    {
        _system = system;
        Props = props;
        _parent = parent;
        _capacity = props.MailboxCapacity ?? system.Settings.MailboxCapacity;
        ArgumentOutOfRangeException.ThrowIfLessThan(_capacity, 1, nameof(props));
        _throughput = system.Settings.Throughput;
        _mailbox = Channel.CreateBounded<Envelope>(new BoundedChannelOptions(_capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        Self = new LocalActorRef(system, path, this);
    }

    /// <summary>The cell whose actor instance is being constructed on this thread (read by Actor's constructor).</summary>
    internal static ActorCell? Constructing => _constructing;

    internal Props Props { get; }

    /// <summary>Completes once the actor has stopped and its watchers and parent have been told.</summary>
    internal Task WhenTerminated => _whenTerminated.Task;

    public ActorRef Self { get; }

    public ActorRef Sender => _currentSender ?? _system.DeadLetters;

    public ActorRef? Parent => _parent?.Self;

    public IReadOnlyCollection<ActorRef> Children => [.. ChildCells().Select(c => c.Self)];

    public ActorSystem System => _system;

    public ITimerScheduler Timers => _timers ??= new TimerScheduler(Self, _system.TimeProvider);

    public ILogger Log => _log ??= _system.LoggerFactory.CreateLogger(Props.ActorType);

    public ActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (name is null)
        {
            name = "$" + Interlocked.Increment(ref _nextChildId).ToString(CultureInfo.InvariantCulture);
        }
        else if (ActorPath.NameError(name) is { } error)
        {
            throw new InvalidActorNameException(error);
        }
        ActorCell child;
        lock (_children)
        {
            if (_terminating || _terminated)
            {
                throw new InvalidOperationException($"{Self.Path} is stopping and cannot create the child '{name}'");
            }
            if (_children.ContainsKey(name))
            {
                throw new InvalidActorNameException($"{Self.Path} already has a child named '{name}'");
            }
            child = new ActorCell(_system, props, this, Self.Path.Child(name));
            _children.Add(name, child);
        }
        child.SendSystemMessage(Create.Instance);
        return child.Self;
    }

    public ActorRef? Child(string name) => FindChild(name)?.Self;

    public void Stop(ActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is LocalActorRef local && ReferenceEquals(local.Cell._parent, this))
        {
            _childrenStopping.Add(local.Cell);
        }
        actor.SendSystemMessage(Terminate.Instance);
    }

    public void Become(Action<object> behavior)
    {
        ArgumentNullException.ThrowIfNull(behavior);
        _behavior = behavior;
    }

    public void Unbecome() => _behavior = null;

    internal ActorCell? FindChild(string name)
    {
        lock (_children)
        {
            return _children.GetValueOrDefault(name);
        }
    }

    internal List<ActorCell> ChildCells()
    {
        lock (_children)
        {
            return [.. _children.Values];
        }
    }

    private int ChildCount()
    {
        lock (_children)
        {
            return _children.Count;
        }
    }
}
