using System.Threading.Channels;
using Swarm.Actors.Runtime;

namespace Swarm.Tests.TestKit;

/// <summary>
/// An actor a test can talk through: tell things to <see cref="Ref"/> (or pass it as a sender), then expect what
/// arrives. Waits are real time (delivery is asynchronous even when the system runs on fake time); a failed
/// expectation names the probe, the phase, what was expected and what came instead.
/// </summary>
public sealed class TestProbe
{
    /// <summary>How long an expectation waits by default; only reached when a test is failing.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<ProbeActor.Received> _received = Channel.CreateUnbounded<ProbeActor.Received>();

    internal TestProbe(ActorSystem system, string name)
    {
        Ref = system.ActorOf(Props.Create(() => new ProbeActor(_received.Writer)), name);
    }

    /// <summary>The probe's ref: tell it things, use it as a sender, let actors reply to it.</summary>
    public ActorRef Ref { get; }

    /// <summary>The sender of the last message taken by an expectation.</summary>
    public ActorRef? LastSender { get; private set; }

    /// <summary>Tells <paramref name="message"/> to the probe itself, as any actor would.</summary>
    public void Tell(object message, ActorRef? sender = null) => Ref.Tell(message, sender);

    /// <summary>Tells <paramref name="message"/> to <paramref name="target"/> with this probe as the sender.</summary>
    public void Send(ActorRef target, object message) => target.Tell(message, Ref);

    /// <summary>Answers the sender of the last message taken.</summary>
    public void Reply(object message) =>
        (LastSender ?? throw new InvalidOperationException($"probe {Ref.Path} has received nothing to reply to")).Tell(message, Ref);

    /// <summary>Have this probe watch <paramref name="target"/> (see <see cref="ExpectTerminatedAsync"/>); completes
    /// once the watch is registered, so a stop issued afterwards is certain to be seen.</summary>
    public Task WatchAsync(ActorRef target) => Request(target, watch: true);

    /// <summary>Stop watching <paramref name="target"/>; completes once the watch is removed.</summary>
    public Task UnwatchAsync(ActorRef target) => Request(target, watch: false);

    /// <summary>The next message must be a <typeparamref name="T"/> (matching <paramref name="predicate"/>).</summary>
    public async Task<T> ExpectMsgAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null, string phase = "")
    {
        var wait = timeout ?? DefaultTimeout;
        var next = await NextAsync(wait).ConfigureAwait(false);
        if (next is null)
        {
            Assert.Fail($"probe {Ref.Path} {phase}: expected a {typeof(T).Name} within {wait.TotalMilliseconds:0} ms but got nothing");
        }
        LastSender = next.Sender;
        if (next.Message is not T typed || predicate is not null && !predicate(typed))
        {
            Assert.Fail($"probe {Ref.Path} {phase}: expected a {typeof(T).Name}{(predicate is null ? string.Empty : " matching the predicate")} but got {next.Message.GetType().Name}: {next.Message}");
            throw new InvalidOperationException("unreachable");
        }
        return typed;
    }

    /// <summary>The next message must equal <paramref name="expected"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null, string phase = "")
        where T : notnull => ExpectMsgAsync<T>(m => expected.Equals(m), timeout, $"{phase} (expecting {expected})");

    /// <summary>Skips messages until one is a <typeparamref name="T"/> matching <paramref name="predicate"/>.</summary>
    public async Task<T> FishForMessageAsync<T>(Func<T, bool> predicate, TimeSpan? timeout = null, string phase = "")
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var wait = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + wait;
        var skipped = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var next = left > TimeSpan.Zero ? await NextAsync(left).ConfigureAwait(false) : null;
            if (next is null)
            {
                Assert.Fail($"probe {Ref.Path} {phase}: no {typeof(T).Name} matching the predicate within {wait.TotalMilliseconds:0} ms; skipped [{string.Join(", ", skipped)}]");
            }
            LastSender = next!.Sender;
            if (next.Message is T typed && predicate(typed))
            {
                return typed;
            }
            skipped.Add(next.Message.ToString() ?? next.Message.GetType().Name);
        }
    }

    /// <summary>Nothing may arrive for <paramref name="duration"/> (real time: keep it short, ~100 ms; prefer a
    /// deterministic barrier where one exists).</summary>
    public async Task ExpectNoMsgAsync(TimeSpan duration, string phase = "")
    {
        var next = await NextAsync(duration).ConfigureAwait(false);
        if (next is not null)
        {
            Assert.Fail($"probe {Ref.Path} {phase}: expected no message for {duration.TotalMilliseconds:0} ms but got {next.Message.GetType().Name}: {next.Message}");
        }
    }

    /// <summary>The next message must be the <see cref="Terminated"/> of <paramref name="target"/>.</summary>
    public Task<Terminated> ExpectTerminatedAsync(ActorRef target, TimeSpan? timeout = null, string phase = "") =>
        ExpectMsgAsync<Terminated>(t => t.ActorRef.Equals(target), timeout, $"{phase} (expecting Terminated of {target.Path})");

    /// <summary>Blocking form of <see cref="ExpectMsgAsync{T}(Func{T, bool}?, TimeSpan?, string)"/> for
    /// synchronous tests. It holds a thread-pool thread while it waits, which the actors under test may need on a
    /// 2-core machine: prefer the async form.</summary>
    public T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null, string phase = "") =>
        ExpectMsgAsync(predicate, timeout, phase).GetAwaiter().GetResult();

    /// <summary>Blocking form of <see cref="ExpectNoMsgAsync"/> (see <see cref="ExpectMsg{T}"/>).</summary>
    public void ExpectNoMsg(TimeSpan duration, string phase = "") => ExpectNoMsgAsync(duration, phase).GetAwaiter().GetResult();

    /// <summary>Blocking form of <see cref="FishForMessageAsync{T}"/> (see <see cref="ExpectMsg{T}"/>).</summary>
    public T FishForMessage<T>(Func<T, bool> predicate, TimeSpan? timeout = null, string phase = "") =>
        FishForMessageAsync(predicate, timeout, phase).GetAwaiter().GetResult();

    /// <summary>Blocking form of <see cref="ExpectTerminatedAsync"/> (see <see cref="ExpectMsg{T}"/>).</summary>
    public Terminated ExpectTerminated(ActorRef target, TimeSpan? timeout = null, string phase = "") =>
        ExpectTerminatedAsync(target, timeout, phase).GetAwaiter().GetResult();

    private async Task Request(ActorRef target, bool watch)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Ref.Tell(new ProbeActor.WatchRequest(target, watch, done));
        await done.Task.WaitAsync(DefaultTimeout).ConfigureAwait(false);
    }

    private async Task<ProbeActor.Received?> NextAsync(TimeSpan timeout)
    {
        if (_received.Reader.TryRead(out var ready))
        {
            return ready;
        }
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _received.Reader.ReadAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
