using Swarm.Actors.Runtime;
using Swarm.Tests.TestKit;
using Lifecycle = Swarm.Tests.Actors.CounterActor.Lifecycle;

namespace Swarm.Tests.Actors;

public sealed class DeathWatchTests : ActorTestKit
{
    [Fact]
    public async Task A_watcher_gets_Terminated_when_the_watched_actor_stops()
    {
        var probe = CreateProbe();
        var target = Sys.ActorOf(Props.Create(() => new CounterActor(null)), "target");
        await probe.WatchAsync(target);

        Sys.Stop(target);

        var terminated = await probe.ExpectTerminatedAsync(target);
        Assert.Equal(target.Path, terminated.ActorRef.Path);
    }

    [Fact]
    public async Task Watching_an_actor_that_is_already_dead_yields_Terminated()
    {
        var first = CreateProbe();
        var target = Sys.ActorOf(Props.Create(() => new CounterActor(null)), "target");
        await first.WatchAsync(target);
        Sys.Stop(target);
        await first.ExpectTerminatedAsync(target, phase: "first watcher");

        var late = CreateProbe();
        await late.WatchAsync(target);

        await late.ExpectTerminatedAsync(target, phase: "watch after death");
    }

    [Fact]
    public async Task Watching_a_path_with_no_actor_yields_Terminated()
    {
        var probe = CreateProbe();
        var nobody = Sys.ResolvePath(Sys.RootPath.Child("user").Child("nobody"));

        await probe.WatchAsync(nobody);

        await probe.ExpectTerminatedAsync(nobody);
    }

    [Fact]
    public async Task An_actor_watching_another_receives_Terminated_after_the_messages_the_dead_one_sent()
    {
        var probe = CreateProbe();
        var watcher = Sys.ActorOf(Props.Create(() => new Forwarder(probe.Ref)), "watcher");
        var target = Sys.ActorOf(Props.Create(() => new CounterActor(watcher)), "target");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Hook == "PreStart");
        watcher.Tell(new Forwarder.WatchIt(target));
        await probe.ExpectMsgAsync("watching");

        target.Tell(PoisonPill.Instance);

        await probe.ExpectMsgAsync<Lifecycle>(l => l.Hook == "PostStop", phase: "sent by the target before it died");
        await probe.ExpectTerminatedAsync(target, phase: "forwarded by the watching actor");
    }

    [Fact]
    public async Task After_Unwatch_no_Terminated_arrives()
    {
        var probe = CreateProbe();
        var watcher = Sys.ActorOf(Props.Create(() => new Forwarder(probe.Ref)), "watcher");
        var target = Sys.ActorOf(Props.Create(() => new CounterActor(null)), "target");
        watcher.Tell(new Forwarder.WatchIt(target));
        await probe.ExpectMsgAsync("watching");
        watcher.Tell(new Forwarder.UnwatchIt(target));
        await probe.ExpectMsgAsync("unwatched");
        var barrier = CreateProbe();
        await barrier.WatchAsync(target);

        Sys.Stop(target);

        await barrier.ExpectTerminatedAsync(target, phase: "the target is dead");
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100), "unwatched watcher");
    }

    [Fact]
    public async Task Stopping_a_parent_stops_its_children_first()
    {
        var probe = CreateProbe();
        var parent = Sys.ActorOf(Props.Create(() => new ParentActor(
            SupervisorStrategy.Default, [("child", Props.Create(() => new CounterActor(probe.Ref)))], probe.Ref)), "parent");
        var child = (await probe.ExpectMsgAsync<ParentActor.ChildCreated>()).Child;
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Hook == "PreStart");
        await probe.WatchAsync(child);
        await probe.WatchAsync(parent);

        Sys.Stop(parent);

        await probe.ExpectMsgAsync<Lifecycle>(l => l.Hook == "PostStop");
        await probe.ExpectTerminatedAsync(child);
        await probe.ExpectTerminatedAsync(parent);
    }

    private sealed class Forwarder(ActorRef probe) : Actor
    {
        internal sealed record WatchIt(ActorRef Target);

        internal sealed record UnwatchIt(ActorRef Target);

        protected override void Receive(object message)
        {
            switch (message)
            {
                case WatchIt watch:
                    Context.Watch(watch.Target);
                    probe.Tell("watching");
                    break;
                case UnwatchIt unwatch:
                    Context.Unwatch(unwatch.Target);
                    probe.Tell("unwatched");
                    break;
                default:
                    probe.Tell(message, Sender);
                    break;
            }
        }
    }
}
