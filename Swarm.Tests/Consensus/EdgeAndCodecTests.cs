using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>The canonical encodings and the edge's envelope check: forged or unknown senders never reach a replica.</summary>
public sealed class EdgeAndCodecTests
{
    [Fact]
    public void Every_message_kind_round_trips_through_the_canonical_encoding()
    {
        var h = new PbftHarness();
        h.Run(0, new SubmitRequest(PbftHarness.Request(1)));
        h.Pump();
        var block = h.Ledgers[0][0].Block;
        var prepare = h.Sign(1, new Prepare(1, 0, 1, block.Hash));
        var checkpoint = h.Sign(2, new Checkpoint(2, 2, block.Hash, 5));
        var proof = new PreparedProof(h.Sign(0, new PrePrepare(0, 0, 1, block)), [prepare]);
        var viewChange = h.Sign(3, new ViewChange(3, 1, 2, block.Hash, 5, [checkpoint], [proof]));
        PbftMessage[] messages =
        [
            new RequestBatch(1, [PbftHarness.Request(4), PbftHarness.Request(5, "bob")]),
            new PrePrepare(0, 0, 1, block),
            new Prepare(1, 0, 1, block.Hash),
            new Commit(2, 0, 1, block.Hash),
            new Checkpoint(2, 2, block.Hash, 5),
            viewChange.Message,
            new NewView(1, 1, [viewChange]),
            new FetchBlocks(3, 1, 9),
            new BlocksReply(1, h.Ledgers[1]),
        ];
        foreach (var message in messages)
        {
            var signed = h.Sign(message.Sender, message);
            Assert.True(MessageCodec.TryDecode(MessageCodec.Encode(signed), out var decoded, out var error), error);
            Assert.Equal(MessageCodec.Encode(signed), MessageCodec.Encode(decoded!));
            Assert.True(h.Verify(decoded!).Message.GetType() == message.GetType());
        }
    }

    [Fact]
    public void Commit_message_signing_bytes_are_the_certificate_vote_bytes()
    {
        var hash = Digest.Of([1, 2, 3]);
        Assert.Equal(CommitVote.SigningBytesFor("chain", 2, 7, 11, hash), MessageCodec.SigningBytes("chain", new Commit(2, 7, 11, hash)));
    }

    [Fact]
    public void Block_hash_is_sha256_of_the_big_endian_length_prefixed_encoding()
    {
        var block = new Block(0x0102, Digest.Zero, 3, 4, 5, [new ClientRequest("c", 6, [9])]);
        Assert.Equal(1, block.Encoded[0]);
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 2], block.Encoded[1..9]);
        Assert.Equal(Digest.Of(block.Encoded), block.Hash);
        Assert.True(BlockCodec.TryDecode(block.Encoded, out var decoded, out _));
        Assert.Equal(block.Hash, decoded!.Hash);
    }

    [Fact]
    public void Malformed_bytes_become_an_error_not_an_exception()
    {
        Assert.False(MessageCodec.TryDecode([3, 0, 0], out _, out var error));
        Assert.Contains("malformed message", error);
        Assert.False(MessageCodec.TryDecode([42, 0, 0, 0, 1], out _, out error));
        Assert.Contains("unknown message kind 42", error);
        var block = new Block(1, Digest.Zero, 0, 0, 0, [PbftHarness.Request(1)]);
        var tampered = (byte[])block.Encoded.Clone();
        tampered[^1] ^= 1;
        Assert.False(BlockCodec.TryDecode(tampered, out _, out error));
        Assert.Contains("payload root", error);
        var huge = new CanonicalWriter().WriteByte(1).WriteInt32(0).WriteInt32(int.MaxValue).ToArray();
        Assert.False(MessageCodec.TryDecode(huge, out _, out error));
        Assert.Contains("outside", error);
    }

    [Fact]
    public void Hard_state_round_trips()
    {
        var h = new PbftHarness();
        var proof = h.Sign(1, new Checkpoint(1, 2, Digest.Of([7]), 9));
        var state = new HardState(3, 17, 2, Digest.Of([7]), 9, [proof]);
        Assert.True(HardStateCodec.TryDecode(HardStateCodec.Encode(state), out var decoded, out _));
        Assert.Equal((3L, 17L, 2L), (decoded!.View, decoded.VotedThrough, decoded.StableSequence));
        Assert.Equal(MessageCodec.Encode(proof), MessageCodec.Encode(Assert.Single(decoded.StableProof)));
    }

    [Fact]
    public void Hard_state_with_mode_certificates_and_new_view_round_trips()
    {
        var h = new PbftHarness();
        var block = new Block(1, h.Genesis.Hash, 0, 0, 0, [PbftHarness.Request(1)]);
        var proof = new PreparedProof(h.Sign(0, new PrePrepare(0, 0, 1, block)),
            [h.Sign(1, new Prepare(1, 0, 1, block.Hash)), h.Sign(2, new Prepare(2, 0, 1, block.Hash))]);
        var newView = h.Sign(1, new NewView(1, 1, [h.Sign(2, new ViewChange(2, 1, 0, h.Genesis.Hash, 0, [], [proof]))]));
        var state = new HardState(1, 0, 0, h.Genesis.Hash, 0, [], ReplicaMode.ViewChange, [proof], newView);

        Assert.True(HardStateCodec.TryDecode(HardStateCodec.Encode(state), out var decoded, out var error), error);

        Assert.Equal(ReplicaMode.ViewChange, decoded!.Mode);
        Assert.Equal(block.Hash, Assert.Single(decoded.PreparedCertificates).Proposal.Block.Hash);
        Assert.Equal(MessageCodec.Encode(newView), MessageCodec.Encode(decoded.NewView!));
    }

    [Fact]
    public void Version_one_hard_state_still_decodes_and_an_unknown_version_is_refused_by_name()
    {
        // Version 1 (before the mode, certificates and new view were stored): view 3, voted through 17, genesis checkpoint.
        var v1 = new CanonicalWriter();
        v1.WriteByte(1).WriteInt64(3).WriteInt64(17).WriteInt64(0).WriteDigest(Digest.Of([7])).WriteInt64(0).WriteInt32(0);
        Assert.True(HardStateCodec.TryDecode(v1.ToArray(), out var decoded, out var error), error);
        Assert.Equal((3L, 17L, ReplicaMode.Normal), (decoded!.View, decoded.VotedThrough, decoded.Mode));
        Assert.Empty(decoded.PreparedCertificates);

        var v9 = v1.ToArray();
        v9[0] = 9;
        Assert.False(HardStateCodec.TryDecode(v9, out _, out error));
        Assert.Contains("hard state version 9", error);
    }

    [Fact]
    public void Forged_signature_and_unknown_sender_are_rejected_at_the_edge_with_ed25519()
    {
        var scheme = new Ed25519SignatureScheme();
        var signers = Enumerable.Range(0, 4).Select(_ => (ISigner)Ed25519Signer.Generate()).ToArray();
        var genesis = new Genesis("edge", signers.Select((s, i) => new Member(i, s.PublicKey)).ToArray(), 1, ChainParameters.Default);
        var verifier = new EnvelopeVerifier(genesis.ChainId, scheme, ClientKeys.None);
        var members = genesis.InitialConfiguration;
        var prepare = new Prepare(2, 0, 1, Digest.Of([1]));
        var good = new SignedMessage(prepare, signers[2].Sign(MessageCodec.SigningBytes(genesis.ChainId, prepare)));
        Assert.True(verifier.Verify(members, good, out var verified).Ok);
        Assert.NotNull(verified);

        // Replica 3 signs a prepare in replica 2's name: the signature does not match replica 2's key.
        var forged = new SignedMessage(prepare, signers[3].Sign(MessageCodec.SigningBytes(genesis.ChainId, prepare)));
        var verdict = verifier.Verify(members, forged, out verified);
        Assert.Contains("signature of Prepare from replica 2 does not verify", verdict.Reason);
        Assert.Null(verified);

        // The same bytes signed for another chain do not verify either (the chain id is in the signed bytes).
        var otherChain = new SignedMessage(prepare, signers[2].Sign(MessageCodec.SigningBytes("other", prepare)));
        Assert.False(verifier.Verify(members, otherChain, out _).Ok);

        var stranger = new SignedMessage(prepare with { Sender = 9 }, good.Signature);
        Assert.Contains("not a member", verifier.Verify(members, stranger, out _).Reason);

        // A forged prepare nested in a view change is caught too.
        var pp = new PrePrepare(0, 0, 1, new Block(1, genesis.Hash, 0, 0, 0, [PbftHarness.Request(1)]));
        var proof = new PreparedProof(new SignedMessage(pp, signers[0].Sign(MessageCodec.SigningBytes(genesis.ChainId, pp))), [forged]);
        var vc = new ViewChange(1, 1, 0, genesis.Hash, 0, [], [proof]);
        var signedVc = new SignedMessage(vc, signers[1].Sign(MessageCodec.SigningBytes(genesis.ChainId, vc)));
        Assert.Contains("nested", verifier.Verify(members, signedVc, out _).Reason);
        foreach (var signer in signers)
        {
            ((IDisposable)signer).Dispose();
        }
    }
}
