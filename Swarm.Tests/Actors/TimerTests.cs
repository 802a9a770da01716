using Swarm.Actors.Runtime;
using Swarm.Tests.TestKit;

namespace Swarm.Tests.Actors;

/// <summary>Timers on fake time. "Nothing fired yet" is shown without waiting: a timer fires inside
/// <c>Time.Advance</c>, so its message would be in the mailbox before the ping sent afterwards, and the probe would
/// see "tick" before "pong".</summary>
public sealed class TimerTests : ActorTestKit
{
    [Fact]
    public async Task A_single_timer_fires_once_when_its_delay_has_passed()
    {
        var (probe, actor) = await StartAsync(new TimerActor.Single(TimeSpan.FromSeconds(1)));

        Time.Advance(TimeSpan.FromMilliseconds(999));
        await PingAsync(probe, actor, "before the delay");
        Time.Advance(TimeSpan.FromMilliseconds(1));
        await probe.ExpectMsgAsync("tick", phase: "at the delay");
        Time.Advance(TimeSpan.FromSeconds(10));
        await PingAsync(probe, actor, "single-shot does not repeat");

        probe.Send(actor, "active?");
        Assert.False(await probe.ExpectMsgAsync<bool>());
    }

    [Fact]
    public async Task A_periodic_timer_fires_once_per_interval()
    {
        var (probe, actor) = await StartAsync(new TimerActor.Periodic(TimeSpan.FromMilliseconds(100)));

        Time.Advance(TimeSpan.FromMilliseconds(100));
        await probe.ExpectMsgAsync("tick", phase: "first interval");
        Time.Advance(TimeSpan.FromMilliseconds(250));
        await probe.ExpectMsgAsync("tick", phase: "second interval");
        await probe.ExpectMsgAsync("tick", phase: "third interval");
        await PingAsync(probe, actor, "half an interval left");
        Assert.Equal([TimeSpan.FromMilliseconds(50)], Time.PendingDueIn);
    }

    [Fact]
    public async Task A_cancelled_timer_never_fires()
    {
        var (probe, actor) = await StartAsync(new TimerActor.Periodic(TimeSpan.FromMilliseconds(100)));
        Time.Advance(TimeSpan.FromMilliseconds(100));
        await probe.ExpectMsgAsync("tick");

        probe.Send(actor, "cancel");
        await probe.ExpectMsgAsync("cancelled");
        Time.Advance(TimeSpan.FromSeconds(1));

        await PingAsync(probe, actor, "after cancel");
        Assert.Empty(Time.PendingDueIn);
    }

    [Fact]
    public async Task Starting_a_timer_with_a_key_in_use_replaces_it()
    {
        var (probe, actor) = await StartAsync(new TimerActor.Single(TimeSpan.FromSeconds(1)));

        probe.Send(actor, new TimerActor.Single(TimeSpan.FromSeconds(5)));
        await probe.ExpectMsgAsync("started");
        Time.Advance(TimeSpan.FromSeconds(1));
        await PingAsync(probe, actor, "the replaced timer is gone");
        Time.Advance(TimeSpan.FromSeconds(4));
        await probe.ExpectMsgAsync("tick", phase: "the replacing timer");
    }

    [Fact]
    public async Task Stopping_an_actor_cancels_its_timers()
    {
        var (probe, actor) = await StartAsync(new TimerActor.Periodic(TimeSpan.FromMilliseconds(100)));
        await probe.WatchAsync(actor);

        Sys.Stop(actor);

        await probe.ExpectTerminatedAsync(actor);
        Assert.Empty(Time.PendingDueIn);
    }

    private async Task<(TestProbe Probe, ActorRef Actor)> StartAsync(object start)
    {
        var probe = CreateProbe();
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(probe.Ref)), "timers");
        probe.Send(actor, start);
        await probe.ExpectMsgAsync("started", phase: "timer started");
        return (probe, actor);
    }

    private static async Task PingAsync(TestProbe probe, ActorRef actor, string phase)
    {
        probe.Send(actor, "ping");
        await probe.ExpectMsgAsync("pong", phase: $"{phase}: no tick may come before the pong");
    }

    private sealed class TimerActor(ActorRef probe) : Actor
    {
        private const string Key = "the-timer";

        internal sealed record Single(TimeSpan Delay);

        internal sealed record Periodic(TimeSpan Interval);

        protected override void Receive(object message)
        {
            switch (message)
            {
                case Single single:
                    Context.Timers.StartSingleTimer(Key, "tick", single.Delay);
                    Sender.Tell("started");
                    break;
                case Periodic periodic:
                    Context.Timers.StartPeriodicTimer(Key, "tick", periodic.Interval);
                    Sender.Tell("started");
                    break;
                case "cancel":
                    Context.Timers.Cancel(Key);
                    Sender.Tell("cancelled");
                    break;
                case "active?":
                    Sender.Tell(Context.Timers.IsTimerActive(Key));
                    break;
                case "ping":
                    Sender.Tell("pong");
                    break;
                case "tick":
                    probe.Tell("tick");
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }
    }
}
