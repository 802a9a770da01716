using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Actors.Membership;
using Swarm.Actors.Runtime;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Service;
using Swarm.Tests.TestKit;
using MemberStatus = Swarm.Actors.Membership.MemberStatus;

namespace Swarm.Tests.Cluster;

/// <summary>The inbound edge between the peer transport and the actor runtime: what reaches /user/gossip and what
/// is refused.</summary>
public sealed class RemoteActorTransportTests : ActorTestKit
{
    private static readonly HashSet<string> Consortium = ["test-node", "node-b"];
    private readonly RemoteActorTransport _remote;
    private readonly TestProbe _gossip;

    public RemoteActorTransportTests()
    {
        _remote = new RemoteActorTransport(Sys, NullLogger.Instance, Consortium.Contains);
        _gossip = new TestProbe(Sys, "gossip");
    }

    [Fact]
    public async Task Valid_gossip_reaches_the_named_actor_with_the_authenticated_sender()
    {
        var view = MembershipView.Of([new Member("node-b", 4, MemberStatus.Up)]);

        await _remote.HandleAsync("node-b", Gossip(view, "/user/gossip"), CancellationToken.None);

        var gossip = await _gossip.ExpectMsgAsync<GossipPayload>();
        Assert.Equal(("node-b", view), (gossip.From, gossip.View));
        Assert.Equal((1, 0), (_remote.Counters.Received, _remote.Counters.Rejected));
    }

    [Fact]
    public async Task Gossip_naming_a_node_outside_the_consortium_is_refused()
    {
        var view = MembershipView.Of([new Member("node-b", 4, MemberStatus.Up), new Member("intruder", 1, MemberStatus.Up)]);

        await _remote.HandleAsync("node-b", Gossip(view, "/user/gossip"), CancellationToken.None);

        await _gossip.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal((0, 1), (_remote.Counters.Received, _remote.Counters.Rejected));
    }

    [Fact]
    public async Task A_bad_actor_path_or_an_unknown_message_type_is_refused()
    {
        var view = MembershipView.Of([new Member("node-b", 4, MemberStatus.Up)]);
        var unknown = new Envelope { ToActorPath = "/user/gossip", Actor = new ActorMessage { TypeUrl = "x.Y", Body = ByteString.Empty } };

        await _remote.HandleAsync("node-b", Gossip(view, "no-slash//"), CancellationToken.None);
        await _remote.HandleAsync("node-b", unknown, CancellationToken.None);

        await _gossip.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, _remote.Counters.Rejected);
    }

    [Fact]
    public async Task A_watcher_of_a_remote_actor_gets_terminated_when_its_node_goes_down()
    {
        var watcher = CreateProbe();
        var remote = ActorPath.Parse("swarm://node-b/user/ledger");
        _remote.Watch(remote, watcher.Ref);

        Sys.EventStream.Publish(new MemberChanged(new Member("node-b", 4, MemberStatus.Up), new Member("node-b", 4, MemberStatus.Unreachable)));

        var terminated = await watcher.ExpectMsgAsync<Terminated>();
        Assert.Equal(remote, terminated.ActorRef.Path);
    }

    private static Envelope Gossip(MembershipView view, string path)
    {
        Assert.True(MembershipWireCodec.TryEncode(new GossipPayload("node-b", view, IsReply: false), out var encoded));
        return new Envelope { ToActorPath = path, Actor = encoded };
    }
}
