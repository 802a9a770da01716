using Akka.Actor;
using Envelope = Swarm.Node.Networking.Wire.Envelope;
using Akka.TestKit;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Actors.Membership;
using Swarm.Actors.Platform;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Service;
using MemberStatus = Swarm.Actors.Membership.MemberStatus;

namespace Swarm.Tests.Cluster;

/// <summary>The edge between the peer transport and the node's actor system: what reaches /user/gossip and what
/// is refused.</summary>
public sealed class RemoteActorTransportTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly HashSet<string> Consortium = ["test-node", "node-b"];
    private readonly RemoteActorTransport _remote;
    private readonly TestProbe _gossip;

    public RemoteActorTransportTests()
        : base(SwarmActorSystem.DefaultConfig, "test-node")
    {
        _remote = new RemoteActorTransport(Sys, NullLogger.Instance, Consortium.Contains);
        _gossip = CreateTestProbe("gossip");
        // The probe stands where the gossip actor would be: /user/gossip forwards to it.
        Sys.ActorOf(Props.Create(() => new Forward(_gossip.Ref)), "gossip");
    }

    [Fact]
    public async Task Valid_gossip_reaches_the_named_actor_with_the_authenticated_sender()
    {
        var view = MembershipView.Of([new Member("node-b", 4, MemberStatus.Up)]);

        await _remote.HandleAsync("node-b", Gossip(view, "/user/gossip"), CancellationToken.None);

        var gossip = await _gossip.ExpectMsgAsync<GossipPayload>(TimeSpan.FromSeconds(5));
        Assert.Equal(("node-b", view), (gossip.From, gossip.View));
        Assert.Equal((1, 0), (_remote.Counters.Received, _remote.Counters.Rejected));
    }

    [Fact]
    public async Task Gossip_naming_a_node_outside_the_consortium_is_refused()
    {
        var view = MembershipView.Of([new Member("node-b", 4, MemberStatus.Up), new Member("intruder", 1, MemberStatus.Up)]);

        await _remote.HandleAsync("node-b", Gossip(view, "/user/gossip"), CancellationToken.None);

        await _gossip.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal((0, 1), (_remote.Counters.Received, _remote.Counters.Rejected));
    }

    [Fact]
    public async Task A_bad_actor_path_or_an_unknown_message_type_is_refused()
    {
        var view = MembershipView.Of([new Member("node-b", 4, MemberStatus.Up)]);
        var unknown = new Envelope { ToActorPath = "/user/gossip", Actor = new ActorMessage { TypeUrl = "x.Y", Body = ByteString.Empty } };

        await _remote.HandleAsync("node-b", Gossip(view, "no-slash//"), CancellationToken.None);
        await _remote.HandleAsync("node-b", unknown, CancellationToken.None);

        await _gossip.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(2, _remote.Counters.Rejected);
    }

    [Fact]
    public async Task A_message_for_another_node_leaves_through_the_transport_and_one_without_a_transport_is_dropped()
    {
        var unsent = new RecordingSender();
        var directory = NodeDirectory.For(Sys);
        directory.Remote = null;
        directory.Resolve(new PeerAddress("node-b", "/user/gossip")).Tell("lost");
        directory.Remote = unsent;
        directory.Resolve(new PeerAddress("node-b", "/user/gossip")).Tell("sent");
        directory.Resolve(new PeerAddress("test-node", "/user/gossip")).Tell("local");

        await _gossip.ExpectMsgAsync<string>(m => m == "local", TimeSpan.FromSeconds(5));
        Assert.Equal([(new PeerAddress("node-b", "/user/gossip"), (object)"sent")], unsent.Sent);
        directory.Remote = _remote;
    }

    private sealed class RecordingSender : IRemoteSender
    {
        public List<(PeerAddress, object)> Sent { get; } = [];

        public void Send(PeerAddress recipient, object message) => Sent.Add((recipient, message));
    }

    private sealed class Forward(IActorRef target) : UntypedActor
    {
        protected override void OnReceive(object message) => target.Forward(message);
    }

    private static Envelope Gossip(MembershipView view, string path)
    {
        Assert.True(MembershipWireCodec.TryEncode(new GossipPayload("node-b", view, IsReply: false), out var encoded));
        return new Envelope { ToActorPath = path, Actor = encoded };
    }
}
