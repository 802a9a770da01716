using Swarm.Actors.Runtime;

namespace Swarm.Tests.TestKit;

/// <summary>
/// Base of actor tests: a fresh <see cref="ActorSystem"/> per test (node id <c>test-node</c>) on a
/// <see cref="ManualTimeProvider"/>, so timers, ask timeouts and restart back-off move only when the test calls
/// <c>Time.Advance</c>; the system is shut down after the test, and the shutdown itself must finish in time.
/// </summary>
public abstract class ActorTestKit : IAsyncLifetime
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);
    private int _probes;

    protected ActorTestKit(ActorSystemSettings? settings = null)
    {
        Time = new ManualTimeProvider();
        Sys = new ActorSystem("test-node", settings, Time);
    }

    /// <summary>The system under test.</summary>
    protected ActorSystem Sys { get; }

    /// <summary>The system's clock.</summary>
    protected ManualTimeProvider Time { get; }

    /// <summary>A new probe (<c>/user/probe-N</c>).</summary>
    protected TestProbe CreateProbe() => new(Sys, $"probe-{Interlocked.Increment(ref _probes)}");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            await Sys.ShutdownAsync().WaitAsync(ShutdownTimeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"actor system {Sys.Name} did not shut down within {ShutdownTimeout.TotalSeconds:0} s after the test");
        }
    }
}
