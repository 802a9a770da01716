using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>Requests a client signs as one bundle (a Merkle root under one Ed25519 signature): every request of a
/// bundle passes the edge on its own, and each way a member might reuse a bundle's signature for a request the
/// client did not make is refused. The last test mounts one attack against an edge that skips the root's
/// signature (it then succeeds), so the signature over the recomputed root is what stops it.</summary>
public sealed class RequestBundleTests
{
    private const string Chain = "bundle-chain";
    private static readonly Ed25519Signer Alice = Ed25519Signer.Generate();
    private static readonly Ed25519Signer Bob = Ed25519Signer.Generate();
    private static readonly ClientKeys Clients = new([KeyValuePair.Create("alice", Alice.PublicKey), KeyValuePair.Create("bob", Bob.PublicKey)]);
    private static readonly Swarm.Consensus.Blocks.Configuration Members =
        new Genesis(Chain, [new Member(0, Ed25519Signer.Generate().PublicKey)], 0, PbftHarness.Parameters).InitialConfiguration;

    private static EnvelopeVerifier Edge() => new(Chain, new Ed25519SignatureScheme(), Clients);

    private static IReadOnlyList<ClientRequest> Bundle(int size, string client = "alice", string chain = Chain, long firstId = 1) =>
        RequestBundle.Sign(chain,
            Enumerable.Range(0, size).Select(i => new ClientRequest(client, firstId + i, BitConverter.GetBytes(firstId + i))).ToArray(),
            bytes => (client == "alice" ? Alice : Bob).Sign(bytes));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100)]
    public void Every_request_of_a_bundle_passes_the_edge_on_its_own(int size)
    {
        var bundle = Bundle(size);
        // A fresh edge per request: each is checked as a replica that saw no other request of the bundle would.
        Assert.All(bundle, request => Assert.Null(Edge().CheckRequest(Members, request)));
        Assert.All(bundle, request => Assert.True(RequestBundle.IsProof(request.SignatureBytes)));
        Assert.All(bundle, request => Assert.True(request.SignatureBytes.Length <= CommitCertificate.SignatureBytesMax));
    }

    [Fact]
    public void The_largest_bundle_fits_a_request_and_verifies()
    {
        var bundle = Bundle(RequestBundle.RequestsMax);
        var edge = Edge();
        Assert.Null(edge.CheckRequest(Members, bundle[0]));
        Assert.Null(edge.CheckRequest(Members, bundle[^1]));
        Assert.Null(edge.CheckRequest(Members, bundle[RequestBundle.RequestsMax / 2 + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bundle(RequestBundle.RequestsMax + 1));
    }

    [Fact]
    public void A_changed_payload_a_new_id_another_client_or_another_chain_gets_no_valid_bundle_signature()
    {
        var request = Bundle(5)[3];
        var edge = Edge();
        Assert.Null(edge.CheckRequest(Members, request));

        var payload = request with { Payload = "pay mallory"u8.ToArray() };
        var renumbered = request with { RequestId = 99 };
        var otherClient = request with { ClientId = "bob" };
        var otherChain = Bundle(5, chain: "another-chain")[3];

        Assert.Contains("its bundle signature does not verify", edge.CheckRequest(Members, payload));
        Assert.Contains("its bundle signature does not verify", edge.CheckRequest(Members, renumbered));
        Assert.Contains("request 4 of client 'bob': its bundle signature does not verify", edge.CheckRequest(Members, otherClient));
        Assert.Contains("its bundle signature does not verify", edge.CheckRequest(Members, otherChain));
    }

    [Fact]
    public void A_proof_with_a_moved_index_a_cut_path_or_junk_is_refused_naming_the_fault()
    {
        var request = Bundle(6)[2];
        var proof = request.SignatureBytes;
        var edge = Edge();

        // The leaf index sits after the tag and the size; index 3 of the same bundle has another path.
        var moved = (byte[])proof.Clone();
        moved[11] = 3;
        var outside = (byte[])proof.Clone();
        outside[11] = 9;
        // One sibling fewer: the declared path count no longer matches what the index needs.
        var cut = new CanonicalWriter().WriteRaw(proof.AsSpan(0, 12)).WriteInt32(2).WriteRaw(proof.AsSpan(16, 64))
            .WriteBytes(proof.AsSpan(proof.Length - 64)).ToArray();
        var junk = (byte[])proof.Clone();
        Array.Resize(ref junk, proof.Length - 10);

        Assert.Contains("bundle signature does not verify", edge.CheckRequest(Members, request with { Signature = moved }));
        Assert.Contains("bundle index 9 of size 6 is outside the bundle", edge.CheckRequest(Members, request with { Signature = outside }));
        Assert.Contains("bundle path has 2 siblings, index 2 of 6 needs", edge.CheckRequest(Members, request with { Signature = cut }));
        Assert.Contains("bundle proof is malformed", edge.CheckRequest(Members, request with { Signature = junk }));
        Assert.Null(edge.CheckRequest(Members, request));
    }

    [Fact]
    public void A_bundle_verified_once_does_not_vouch_for_a_forged_sibling()
    {
        // The edge remembers the root it verified; a forged request must not ride on that memory.
        var bundle = Bundle(4);
        var edge = Edge();
        Assert.Null(edge.CheckRequest(Members, bundle[0]));
        var forged = bundle[1] with { Payload = "pay mallory"u8.ToArray() };
        Assert.Contains("its bundle signature does not verify", edge.CheckRequest(Members, forged));
        Assert.Null(edge.CheckRequest(Members, bundle[1]));
    }

    [Fact]
    public void An_edge_that_verified_a_whole_bundle_judges_every_altered_proof_as_a_fresh_edge_does()
    {
        // The warm edge remembers the bundle's root and every inner node it hashed; those memories may only save
        // work. Every one-byte change of a proof (size, index, path count, each sibling, the signature) must get the
        // verdict a fresh edge gives: a replica that restarted, or a site checking a block offline, must agree with
        // one that saw the bundle before.
        var bundle = Bundle(64);
        var warm = Edge();
        Assert.All(bundle, r => Assert.Null(warm.CheckRequest(Members, r)));
        var refused = 0;
        foreach (var index in new[] { 0, 1, 37, 63 })
        {
            var proof = bundle[index].SignatureBytes;
            for (var at = 4; at < proof.Length; at++)
            {
                var altered = (byte[])proof.Clone();
                altered[at] ^= 0x01;
                var request = bundle[index] with { Signature = altered };
                var expected = Edge().CheckRequest(Members, request);
                Assert.Equal(expected, warm.CheckRequest(Members, request));
                refused += expected is null ? 0 : 1;
            }
        }
        // Each flip lands in a field the root or the signature depends on, so every one of them is refused.
        Assert.Equal(4 * (bundle[0].SignatureBytes.Length - 4), refused);
    }

    [Fact]
    public void Without_the_roots_signature_check_a_forged_payload_in_a_bundle_executes()
    {
        var bundle = RequestBundle.Sign(PbftHarness.ChainId,
            [new ClientRequest("alice", 1, [1]), new ClientRequest("alice", 2, [2]), new ClientRequest("alice", 3, [3])],
            bytes => PbftHarness.ClientSigner("alice").Sign(bytes));
        var forged = bundle[1] with { Payload = "pay mallory"u8.ToArray() };

        var guarded = new PbftHarness();
        Assert.Contains("its bundle signature does not verify", guarded.Check(guarded.Sign(3, new RequestBatch(3, [forged]))).Reason);

        var open = new PbftHarness(acceptAnyClientSignature: true);
        open.Deliver(0, open.Sign(3, new RequestBatch(3, [forged])));
        open.TickAll(1);
        open.Pump();
        Assert.All(open.Executed, executed => Assert.Equal("pay mallory"u8.ToArray(), Assert.Single(executed).Payload));
    }
}
