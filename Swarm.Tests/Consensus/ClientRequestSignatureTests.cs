using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;
using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Consensus;

/// <summary>Issue 12, finding 2: requests are signed by their client over (chain, client, request id, payload) and
/// every replica checks the signature before it relays, proposes or prepares a request. Each attack is mounted
/// twice: against the real edge (refused, the chain unaffected) and against an edge that takes any client
/// signature, as the edge before signed requests did (the attack then succeeds), so the protection is what stops it.</summary>
public sealed class ClientRequestSignatureTests
{
    /// <summary>A request in <paramref name="client"/>'s name that member <paramref name="member"/> signed with its
    /// own key: all a Byzantine member can make without the client's key.</summary>
    private static ClientRequest SignedByMember(PbftHarness h, int member, string client, long id, byte[] payload) =>
        new ClientRequest(client, id, payload).SignedWith(h.Genesis.ChainId, bytes => FakeSignatureScheme.CreateSigner(member).Sign(bytes));

    /// <summary>Replica <paramref name="relay"/> relays a batch to replica 0 and the network settles.</summary>
    private static void Relay(PbftHarness h, int relay, ClientRequest request)
    {
        h.Deliver(0, h.Sign(relay, new RequestBatch(relay, [request])));
        h.TickAll(1);
        h.Pump();
    }

    private static void SubmitAndSettle(PbftHarness h, int at, ClientRequest request)
    {
        h.Run(at, new SubmitRequest(request));
        h.TickAll(1);
        h.Pump();
    }

    [Fact]
    public void Request_relayed_in_another_clients_name_is_refused_at_the_edge_and_the_chain_is_unaffected()
    {
        var h = new PbftHarness();
        var forged = SignedByMember(h, 3, "bob", 1, "pay mallory"u8.ToArray());

        var relayed = h.Check(h.Sign(3, new RequestBatch(3, [forged])));
        var proposed = h.Check(h.Sign(0, new PrePrepare(0, 0, 1, new Block(1, h.Genesis.Hash, 0, 0, 0, [forged]))));
        var unsigned = h.Check(h.Sign(3, new RequestBatch(3, [forged with { Signature = null }])));
        var stranger = h.Check(h.Sign(3, new RequestBatch(3, [PbftHarness.Request(1, "mallory")])));

        Assert.Contains("request 1 of client 'bob': its client signature does not verify", relayed.Reason);
        Assert.False(proposed.Ok);
        Assert.Contains("client signature does not verify", proposed.Reason);
        Assert.False(unsigned.Ok);
        Assert.Contains("client 'mallory': not a client of chain transcript", stranger.Reason);

        // Bob's own request 1 still executes everywhere, with his payload.
        var genuine = PbftHarness.Request(1, "bob");
        SubmitAndSettle(h, 1, genuine);
        Assert.All(h.Executed, executed => Assert.Equal(genuine.Payload, Assert.Single(executed).Payload));

        // Without the client check, the same relay puts the forged payload on the chain in bob's name.
        var open = new PbftHarness(acceptAnyClientSignature: true);
        Relay(open, 3, forged);
        Assert.All(open.Executed, executed => Assert.Equal("pay mallory"u8.ToArray(), Assert.Single(executed).Payload));
    }

    [Fact]
    public void Signed_request_replayed_under_a_new_id_is_refused_because_the_id_is_signed()
    {
        var h = new PbftHarness();
        var genuine = PbftHarness.Request(1, "bob");
        SubmitAndSettle(h, 1, genuine);
        var replayed = genuine with { RequestId = 2 };

        var verdict = h.Check(h.Sign(3, new RequestBatch(3, [replayed])));

        Assert.Contains("request 2 of client 'bob': its client signature does not verify", verdict.Reason);
        Assert.All(h.Executed, executed => Assert.Equal([genuine.Key], executed.Select(r => r.Key)));

        // Without the check the replay executes a second time.
        var open = new PbftHarness(acceptAnyClientSignature: true);
        SubmitAndSettle(open, 1, genuine);
        Relay(open, 3, replayed);
        Assert.All(open.Executed, executed => Assert.Equal([genuine.Key, replayed.Key], executed.Select(r => r.Key)));
    }

    /// <summary>The attack: a member relays (site-2, long.MaxValue, junk); if it executed, site-2's duplicate
    /// floor would be long.MaxValue and none of its later requests would run.</summary>
    [Fact]
    public void Forged_request_with_the_largest_id_cannot_silence_its_client()
    {
        var h = new PbftHarness();
        var junk = SignedByMember(h, 3, "bob", long.MaxValue, [0xBA, 0xD0]);

        Assert.Contains("does not verify", h.Check(h.Sign(3, new RequestBatch(3, [junk]))).Reason);
        SubmitAndSettle(h, 1, PbftHarness.Request(1, "bob"));
        Assert.All(h.Executed, executed => Assert.Equal([new RequestKey("bob", 1)], executed.Select(r => r.Key)));

        // Against the edge and request-id window of before (every id admitted), the junk executes and bob is silenced.
        var before = new PbftHarness(options: PbftHarness.Options with { RequestIdWindowMax = long.MaxValue }, acceptAnyClientSignature: true);
        Relay(before, 3, junk);
        SubmitAndSettle(before, 1, PbftHarness.Request(1, "bob"));
        Assert.All(before.Executed, executed => Assert.Equal([junk.Key], executed.Select(r => r.Key)));
    }

    [Fact]
    public void Default_window_admits_microsecond_timestamp_ids_and_refuses_an_id_far_ahead_even_signed_by_its_client()
    {
        var h = new PbftHarness(options: PbftHarness.Options with { RequestIdWindowMax = new ReplicaOptions().RequestIdWindowMax });
        const long nowMs = 1_764_633_600_000; // 2025-12-02
        void TickAll() => Enumerable.Range(0, 4).ToList().ForEach(i => h.Run(i, new Tick(nowMs)));
        TickAll();

        var tooFar = PbftHarness.Request(long.MaxValue, "bob");
        var refused = h.Run(1, new SubmitRequest(tooFar));
        var timestamped = PbftHarness.Request(nowMs * 1_000 + 7, "bob");
        h.Run(1, new SubmitRequest(timestamped));
        TickAll();
        h.Pump();

        Assert.Contains("RequestIdWindowMax", Assert.IsType<Rejected>(Assert.Single(refused)).Reason);
        Assert.All(h.Executed, executed => Assert.Equal([timestamped.Key], executed.Select(r => r.Key)));
    }
}
