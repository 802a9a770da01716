using Swarm.Actors.Runtime;
using Swarm.Tests.TestKit;
using Lifecycle = Swarm.Tests.Actors.CounterActor.Lifecycle;

namespace Swarm.Tests.Actors;

public sealed class SupervisionTests : ActorTestKit
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Restart_resets_state_runs_the_hooks_and_drops_the_failing_message()
    {
        var probe = CreateProbe();
        var counter = Sys.ActorOf(Props.Create(() => new CounterActor(probe.Ref)), "counter");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Hook == "PreStart");

        probe.Send(counter, "inc");
        probe.Send(counter, "inc");
        probe.Send(counter, "get");
        Assert.Equal(2, await probe.ExpectMsgAsync<int>(phase: "before the crash"));
        probe.Send(counter, "boom");
        probe.Send(counter, "get");

        var preRestart = await probe.ExpectMsgAsync<Lifecycle>(l => l.Hook == "PreRestart", phase: "old instance");
        Assert.Equal("boom", preRestart.FailedMessage);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Hook == "PostStop", phase: "old instance (default PreRestart)");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Hook == "PostRestart", phase: "new instance");
        // A redelivered "boom" would crash again and put a second PreRestart before this reply.
        Assert.Equal(0, await probe.ExpectMsgAsync<int>(phase: "after the restart"));
    }

    [Fact]
    public async Task Restarts_back_off_exponentially_and_the_limit_stops_the_child()
    {
        var probe = CreateProbe();
        var strategy = SupervisorStrategy.Default with
        {
            MinBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromMilliseconds(300),
            MaxRestarts = 3,
            Window = TimeSpan.FromMinutes(1),
        };
        var child = await CreateChildAsync(probe, strategy);
        await probe.WatchAsync(child);

        var expectedBackoffs = new[] { 100, 200, 300 };
        foreach (var backoff in expectedBackoffs)
        {
            probe.Send(child, "boom");
            await Time.WaitForActiveTimersAsync(1, TestProbe.DefaultTimeout, $"back-off {backoff} ms");
            Assert.Equal([TimeSpan.FromMilliseconds(backoff)], Time.PendingDueIn);

            Time.Advance(TimeSpan.FromMilliseconds(backoff - 1));
            Assert.Equal([TimeSpan.FromMilliseconds(1)], Time.PendingDueIn); // not restarted before its time
            Time.Advance(TimeSpan.FromMilliseconds(1));
            await probe.FishForMessageAsync<Lifecycle>(l => l.Hook == "PostRestart", phase: $"restart after {backoff} ms");
        }

        probe.Send(child, "boom"); // the fourth failure within the window exceeds MaxRestarts = 3
        await probe.FishForMessageAsync<Terminated>(t => t.ActorRef.Equals(child), phase: "restart limit");
        Assert.Empty(Time.PendingDueIn);
    }

    [Fact]
    public async Task Stop_directive_stops_only_the_failing_child()
    {
        var probe = CreateProbe();
        var child = await CreateChildAsync(probe, SupervisorStrategy.StoppingStrategy);
        await probe.WatchAsync(child);

        probe.Send(child, "boom");

        await probe.ExpectMsgAsync<Lifecycle>(l => l.Hook == "PostStop", phase: "stop directive");
        await probe.ExpectTerminatedAsync(child, phase: "stop directive");
        Assert.Empty(Time.PendingDueIn); // no restart is scheduled
    }

    [Fact]
    public async Task Resume_directive_keeps_the_state()
    {
        var probe = CreateProbe();
        var child = await CreateChildAsync(probe, new SupervisorStrategy(_ => Directive.Resume));

        probe.Send(child, "inc");
        probe.Send(child, "inc");
        probe.Send(child, "boom");
        probe.Send(child, "get");

        Assert.Equal(2, await probe.ExpectMsgAsync<int>(phase: "after resume"));
    }

    [Fact]
    public async Task Escalate_hands_the_failure_to_the_grandparent()
    {
        var probe = CreateProbe();
        var decided = new List<Exception>();
        var top = new SupervisorStrategy(e =>
        {
            lock (decided)
            {
                decided.Add(e);
            }
            return Directive.Stop;
        });
        var middleProps = Props.Create(() => new ParentActor(
            new SupervisorStrategy(_ => Directive.Escalate),
            [("leaf", Props.Create(() => new CounterActor(probe.Ref)))],
            probe.Ref));
        Sys.ActorOf(Props.Create(() => new ParentActor(top, [("middle", middleProps)], probe.Ref)), "top");
        var middle = (await probe.FishForMessageAsync<ParentActor.ChildCreated>(c => c.Name == "middle")).Child;
        var leaf = (await probe.FishForMessageAsync<ParentActor.ChildCreated>(c => c.Name == "leaf")).Child;
        await probe.WatchAsync(middle);
        await probe.WatchAsync(leaf);

        probe.Send(leaf, "boom");

        // Both die (the leaf first, as the middle's child), but the two notifications race to the probe.
        var first = await probe.FishForMessageAsync<Terminated>(_ => true, phase: "first death");
        var second = await probe.FishForMessageAsync<Terminated>(_ => true, phase: "second death");
        Assert.Equal(new[] { leaf, middle }.OrderBy(r => r.Path.ToString()), new[] { first.ActorRef, second.ActorRef }.OrderBy(r => r.Path.ToString()));
        lock (decided)
        {
            Assert.IsType<CounterActor.BoomException>(Assert.Single(decided));
        }
    }

    [Fact]
    public async Task A_crashing_actor_never_takes_down_its_siblings()
    {
        var probe = CreateProbe();
        var parent = Sys.ActorOf(Props.Create(() => new ParentActor(
            SupervisorStrategy.Default with { MaxRestarts = 2 },
            [("a", Props.Create(() => new CounterActor(null))), ("b", Props.Create(() => new CounterActor(null))),
             ("c", Props.Create(() => new CounterActor(null)))],
            probe.Ref)), "parent");
        var children = new Dictionary<string, ActorRef>();
        for (var i = 0; i < 3; i++)
        {
            var created = await probe.ExpectMsgAsync<ParentActor.ChildCreated>();
            children[created.Name] = created.Child;
        }
        await probe.WatchAsync(children["a"]);
        children["b"].Tell("inc");
        children["c"].Tell("inc");
        children["c"].Tell("inc");

        for (var i = 0; i < 3; i++)
        {
            children["a"].Tell("boom"); // two restarts, then the limit stops it
        }

        await probe.ExpectTerminatedAsync(children["a"], phase: "the crashing sibling");
        Assert.Equal(1, await children["b"].Ask<int>("get", AskTimeout));
        Assert.Equal(2, await children["c"].Ask<int>("get", AskTimeout));
        Assert.Equal(2, await parent.Ask<int>(new ParentActor.ForwardTo("c", "get"), AskTimeout));
    }

    [Fact]
    public async Task A_top_level_actor_is_restarted_by_the_guardian()
    {
        var probe = CreateProbe();
        var counter = Sys.ActorOf(Props.Create(() => new CounterActor(probe.Ref)), "top-counter");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Hook == "PreStart");

        counter.Tell("inc");
        counter.Tell("boom");

        await probe.FishForMessageAsync<Lifecycle>(l => l.Hook == "PostRestart");
        Assert.Equal(0, await counter.Ask<int>("get", AskTimeout));
    }

    [Fact]
    public async Task An_actor_whose_constructor_throws_is_created_again_by_its_supervisor()
    {
        var attempts = 0;
        var actor = Sys.ActorOf(Props.Create(() => Interlocked.Increment(ref attempts) == 1
            ? throw new InvalidOperationException("first construction fails")
            : new CounterActor(null)), "flaky");

        Assert.Equal(0, await actor.Ask<int>("get", AskTimeout));
        Assert.Equal(2, Volatile.Read(ref attempts));
    }

    private async Task<ActorRef> CreateChildAsync(TestProbe probe, SupervisorStrategy strategy)
    {
        Sys.ActorOf(Props.Create(() => new ParentActor(
            strategy, [("child", Props.Create(() => new CounterActor(probe.Ref)))], probe.Ref)), "parent");
        var created = await probe.FishForMessageAsync<ParentActor.ChildCreated>(_ => true, phase: "child created");
        await probe.FishForMessageAsync<Lifecycle>(l => l.Hook == "PreStart", phase: "child started");
        return created.Child;
    }
}
