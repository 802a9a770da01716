using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Actors.Platform;
using Swarm.Node.Clustering;
using Swarm.Node.Configuration;
using Swarm.Node.Identity;
using Swarm.Node.Networking;
using Swarm.Node.Service;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using AkkaCluster = Akka.Cluster.Cluster;
using AkkaMemberStatus = Akka.Cluster.MemberStatus;
using Envelope = Swarm.Node.Networking.Wire.Envelope;

namespace Swarm.Tests.Cluster;

/// <summary>Real actor systems on loopback, each an Akka.Cluster member over Akka.Remote with TLS and the consortium
/// pin as its only trust anchor (<see cref="ClusterRemoting"/>): pinned members form a cluster and exchange signed
/// actor messages; a stranger's certificate and a removed member's are refused at the TLS handshake; and a member
/// that signs a message in another member's name is refused by the receiver's inbox.</summary>
public sealed class ClusterRemotingTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly byte[] Digest = TaskSpecCodec.Digest("spec"u8);
    private readonly List<ActorSystem> _systems = [];
    private readonly Dictionary<string, NodeIdentity> _identities = [];
    private readonly Dictionary<string, ConcurrentQueue<string>> _refusals = [];

    [Fact]
    public async Task Pinned_members_form_a_cluster_and_a_strangers_certificate_is_refused_at_the_TLS_handshake()
    {
        var consortium = Consortium("a", "b");
        var a = Start("a", consortium);
        var b = Start("b", consortium);
        await WaitUpAsync("a and b form the cluster", 2, a, b);
        // The stranger pins the members (its own view lists itself too) and tries to join them.
        var stranger = Start("x", consortium.With(Member("x")));

        await WaitUntilAsync("a or b refuses x", () => Refused("a", "node 'x'") || Refused("b", "node 'x'"));
        Assert.Contains(_refusals["a"].Concat(_refusals["b"]), r => r.Contains($"node 'x' (key {_identities["x"].Fingerprint}) is not a member of consortium 'test'", StringComparison.Ordinal));
        Assert.All(new[] { a, b }, s => Assert.DoesNotContain(AkkaCluster.Get(s).State.Members, m => m.Address == AkkaCluster.Get(stranger).SelfAddress));
        Assert.NotEqual(AkkaMemberStatus.Up, AkkaCluster.Get(stranger).SelfMember.Status);
    }

    [Fact]
    public async Task A_member_removed_from_the_consortium_file_is_refused_although_its_key_was_pinned_before()
    {
        var before = Consortium("a", "b", "c");
        var after = before with { Members = [.. before.Members.Where(m => m.Id != "c")] };
        var a = Start("a", after);
        var b = Start("b", after);
        await WaitUpAsync("a and b form the cluster", 2, a, b);
        var removed = Start("c", before);

        await WaitUntilAsync("a or b refuses c", () => Refused("a", "node 'c'") || Refused("b", "node 'c'"));
        Assert.Contains(_refusals["a"].Concat(_refusals["b"]), r => r.Contains("is not a member of consortium 'test'", StringComparison.Ordinal));
        Assert.All(new[] { a, b }, s => Assert.DoesNotContain(AkkaCluster.Get(s).State.Members, m => m.Address == AkkaCluster.Get(removed).SelfAddress));
    }

    [Fact]
    public async Task A_signed_message_crosses_Akka_Remote_and_one_signed_by_a_member_in_another_members_name_is_refused()
    {
        var consortium = Consortium("a", "b", "c");
        var a = Start("a", consortium);
        var b = Start("b", consortium);
        var counters = new TransportCounters();
        var codecs = new ActorWireCodecs([TaskWireCodec.Instance]);
        var arrived = Channel.CreateUnbounded<object>();
        a.ActorOf(Props.Create(() => new Catcher(arrived.Writer)), "tasks");
        a.ActorOf(RemoteInbox.Props(() => consortium, codecs, counters, NullLogger.Instance), RemoteInbox.Name);
        NodeDirectory.For(a).SelfNode = "a";
        var directory = NodeDirectory.For(b);
        directory.SelfNode = "b";
        directory.Remote = new ClusterActorSender(b, _identities["b"], () => consortium, Offset, codecs, new TransportCounters(), NullLogger.Instance);
        await WaitUpAsync("a and b form the cluster", 2, a, b);
        Assert.IsType<EnvelopeSerializer>(b.Serialization.FindSerializerFor(new Envelope()));

        directory.Resolve(new PeerAddress("a", "/user/tasks")).Tell(new StartTask("ignored", "t-1", Digest));
        var start = Assert.IsType<StartTask>(await arrived.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(("b", "t-1"), (start.From, start.TaskId));

        // b claims to be c: the envelope names c as its sender but carries b's signature.
        Assert.True(codecs.TryEncode(new AbortTask("ignored", "t-1", Digest, "c refused"), out var body));
        var forged = new Envelope { From = "c", ToActorPath = "/user/tasks", Actor = body };
        new EnvelopeSigner(_identities["b"].Signer).Sign(forged);
        b.ActorSelection(new RootActorPath(ClusterRemoting.AddressOf(consortium.Find("a")!, Offset)) / "user" / RemoteInbox.Name).Tell(forged);

        await WaitUntilAsync("a's inbox refuses the forged envelope", () => counters.Rejected == 1);
        Assert.Equal(1, counters.Received);
        Assert.False(arrived.Reader.TryRead(out var leaked), $"the forged message reached the task manager: {leaked}");
    }

    [Fact]
    public void The_inbox_accepts_only_envelopes_from_members_signed_with_the_key_listed_for_their_sender()
    {
        var consortium = Consortium("a", "b");
        using var outsider = NodeIdentity.Create("x", 1);
        var codecs = new ActorWireCodecs([TaskWireCodec.Instance]);
        Envelope Signed(string from, NodeIdentity by)
        {
            Assert.True(codecs.TryEncode(new StartTask("ignored", "t-1", Digest), out var body));
            var envelope = new Envelope { From = from, ToActorPath = "/user/tasks", Actor = body };
            new EnvelopeSigner(by.Signer).Sign(envelope);
            return envelope;
        }

        Assert.IsType<StartTask>(RemoteInbox.Open(Signed("b", _identities["b"]), consortium, codecs, "a", out var path, out _));
        Assert.Equal("/user/tasks", path);
        Assert.Null(RemoteInbox.Open(Signed("a", _identities["b"]), consortium, codecs, "a", out _, out var forged));
        Assert.Equal("the envelope is not signed by the key of 'a'", forged);
        Assert.Null(RemoteInbox.Open(Signed("x", outsider), consortium, codecs, "a", out _, out var stranger));
        Assert.Equal("'x' is not a member of consortium 'test'", stranger);
        var unsigned = Signed("b", _identities["b"]);
        unsigned.Signature = Google.Protobuf.ByteString.Empty;
        Assert.Null(RemoteInbox.Open(unsigned, consortium, codecs, "a", out _, out var missing));
        Assert.Equal("the envelope is not signed by the key of 'b'", missing);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Terminates every actor system the test started. xUnit 2 calls this (IAsyncLifetime), not
    /// IAsyncDisposable: under the latter the systems stayed up for the rest of the run, heartbeating and redialing
    /// each other on a loaded CI machine.</summary>
    public async Task DisposeAsync()
    {
        await Task.WhenAll(_systems.Select(s => s.Terminate()));
        foreach (var identity in _identities.Values)
        {
            identity.Dispose();
        }
    }

    private const int Offset = 1;

    /// <summary>A consortium of fresh identities, each at a free loopback port (its cluster port; the blob transport
    /// is not started here, so the consortium endpoint is that port minus <see cref="Offset"/>).</summary>
    private Consortium Consortium(params string[] ids) => new("test", [.. ids.Select(Member)]);

    private ConsortiumMember Member(string id)
    {
        if (!_identities.TryGetValue(id, out var identity))
        {
            identity = _identities[id] = NodeIdentity.Create(id, 1);
        }
        return identity.ToMember($"127.0.0.1:{FreePort() - Offset}");
    }

    private ActorSystem Start(string id, Consortium consortium)
    {
        var refusals = _refusals[id] = new ConcurrentQueue<string>();
        var defaults = SwarmConfiguration.Bind(SwarmConfiguration.Build(null, [], new Dictionary<string, string> { ["SWARM_NODE__ID"] = id }));
        var settings = defaults with
        {
            Network = defaults.Network with { ListenPort = 0, ClusterPortOffset = Offset },
            Gossip = defaults.Gossip with { Interval = TimeSpan.FromMilliseconds(200) },
        };
        var system = SwarmActorSystem.Create(ClusterRemoting.SystemName, null, ClusterNode.ActorSystemConfig(settings, consortium),
            ClusterRemoting.Ssl(_identities[id], consortium, refusals.Enqueue));
        _systems.Add(system);
        return system;
    }

    private bool Refused(string observer, string text) => _refusals[observer].Any(r => r.Contains(text, StringComparison.Ordinal));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task WaitUpAsync(string phase, int count, params ActorSystem[] systems) => WaitUntilAsync(phase, () =>
        systems.All(s => AkkaCluster.Get(s).State.Members.Count(m => m.Status == AkkaMemberStatus.Up) == count));

    private static async Task WaitUntilAsync(string phase, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"phase '{phase}' not reached within {Patience.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    /// <summary>Stands where the task manager would be and hands on what it receives.</summary>
    private sealed class Catcher : ReceiveActor
    {
        public Catcher(ChannelWriter<object> writer) => ReceiveAny(message => writer.TryWrite(message));
    }
}
