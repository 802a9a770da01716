using System.Collections.Concurrent;
using Swarm.Actors.Runtime;
using Swarm.Tests.TestKit;

namespace Swarm.Tests.Actors;

public sealed class RemoteHookTests : ActorTestKit
{
    private static readonly ActorPath Foreign = ActorPath.Parse("swarm://other-node/user/ledger");

    [Fact]
    public async Task A_message_to_a_foreign_node_id_goes_to_the_remote_transport()
    {
        var transport = new RecordingTransport();
        Sys.AttachTransport(transport);
        var probe = CreateProbe();

        var remote = Sys.ResolvePath(Foreign);
        remote.Tell("append", probe.Ref);
        var replier = Sys.ActorOf(Props.Create(() => new ReplyTo(remote)), "replier");
        replier.Tell("go");

        var sent = await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(TestProbe.DefaultTimeout);
        Assert.Equal((Foreign, "append", probe.Ref), (sent.Recipient, sent.Message, sent.Sender));
        var fromActor = await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(TestProbe.DefaultTimeout);
        Assert.Equal((Foreign, "hello from an actor", replier), (fromActor.Recipient, fromActor.Message, fromActor.Sender));
        Assert.Equal(Foreign, remote.Path);
    }

    [Fact]
    public async Task Watching_a_remote_actor_asks_the_transport_to_watch_it()
    {
        var transport = new RecordingTransport();
        Sys.AttachTransport(transport);
        var probe = CreateProbe();

        await probe.WatchAsync(Sys.ResolvePath(Foreign));

        Assert.Equal((Foreign, probe.Ref), Assert.Single(transport.Watches));
    }

    [Fact]
    public async Task Without_a_transport_a_message_to_a_foreign_node_is_a_dead_letter_naming_the_node()
    {
        var listener = CreateProbe();
        Sys.EventStream.Subscribe(listener.Ref, typeof(DeadLetter));

        Sys.ResolvePath(Foreign).Tell("append");

        var letter = await listener.ExpectMsgAsync<DeadLetter>();
        Assert.Contains("'other-node'", letter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_from_a_remote_node_reaches_the_local_actor_and_its_reply_goes_back_through_the_transport()
    {
        var transport = new RecordingTransport();
        Sys.AttachTransport(transport);
        var counter = Sys.ActorOf(Props.Create(() => new CounterActor(null)), "counter");

        Assert.Equal(counter, Sys.ResolvePath(ActorPath.Parse("swarm://test-node/user/counter")));
        Sys.DeliverFromRemote(counter.Path, "inc", sender: null);
        Sys.DeliverFromRemote(counter.Path, "get", sender: Foreign);

        var reply = await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(TestProbe.DefaultTimeout);
        Assert.Equal((Foreign, (object)1, counter), (reply.Recipient, reply.Message, reply.Sender!));
    }

    private sealed class RecordingTransport : IRemoteTransport
    {
        public System.Threading.Channels.Channel<(ActorPath Recipient, object Message, ActorRef? Sender)> Sent { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<(ActorPath, object, ActorRef?)>();

        public ConcurrentQueue<(ActorPath Remote, ActorRef Watcher)> Watches { get; } = new();

        public void Send(ActorPath recipient, object message, ActorRef? sender) => Sent.Writer.TryWrite((recipient, message, sender));

        public void Watch(ActorPath remote, ActorRef watcher) => Watches.Enqueue((remote, watcher));

        public void Unwatch(ActorPath remote, ActorRef watcher)
        {
        }
    }

    private sealed class ReplyTo(ActorRef remote) : Actor
    {
        protected override void Receive(object message) => remote.Tell("hello from an actor", Self);
    }
}
