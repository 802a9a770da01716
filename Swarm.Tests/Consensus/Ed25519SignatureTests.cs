using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>Ed25519 at the edge (NSec over libsodium): signatures are deterministic, and what a member or an outsider
/// may try on PBFT messages and commit certificates fails: another member's key, a key outside the chain, bytes
/// changed after signing. (A prepare signed by another member is also in <see cref="EdgeAndCodecTests"/>; task
/// requests in Tasks.TaskChainTests.)</summary>
public sealed class Ed25519SignatureTests : IDisposable
{
    private readonly Ed25519Signer[] _signers = [.. Enumerable.Range(0, 4).Select(_ => Ed25519Signer.Generate())];
    private readonly Ed25519Signer _stranger = Ed25519Signer.Generate();
    private readonly Ed25519SignatureScheme _scheme = new();
    private readonly PbftHarness _h;
    private readonly CertifiedBlock _certified;

    public Ed25519SignatureTests()
    {
        _h = new PbftHarness(4, _scheme, _signers);
        _h.Run(0, new SubmitRequest(PbftHarness.Request(1)));
        _h.Pump();
        _certified = _h.Ledgers[1].Single();
    }

    private string ChainId => _h.Genesis.ChainId;

    private Verdict VerifyEnvelope(SignedMessage message) =>
        new EnvelopeVerifier(ChainId, _scheme, ClientKeys.None).Verify(_h.Genesis.InitialConfiguration, message, out _);

    private Verdict VerifyCertificate(Block block, CommitCertificate certificate) =>
        new CertificateVerifier(ChainId, _scheme).Verify(_h.Genesis.InitialConfiguration, block, certificate);

    private SignedMessage SignedBy(Ed25519Signer signer, PbftMessage message) =>
        new(message, signer.Sign(MessageCodec.SigningBytes(ChainId, message)));

    [Fact]
    public void Signing_the_same_message_with_the_same_key_gives_the_same_64_bytes()
    {
        var message = MessageCodec.SigningBytes(ChainId, new Prepare(1, 0, 1, Digest.Of([1])));
        using var reloaded = Ed25519Signer.TryImportPem(_signers[1].ExportPem())!;

        var first = _signers[1].Sign(message);

        Assert.Equal(Ed25519SignatureScheme.SignatureBytes, first.Length);
        Assert.Equal(first, _signers[1].Sign(message));
        Assert.Equal(first, reloaded.Sign(message));
        Assert.NotEqual(first, _signers[1].Sign([.. message, 0]));
        Assert.True(_scheme.Verify(_signers[1].PublicKey, message, first));
    }

    [Fact]
    public void A_tampered_message_or_signature_and_malformed_keys_fail_verification_without_throwing()
    {
        var message = "round 3 aggregate"u8.ToArray();
        var signature = _signers[0].Sign(message);
        var key = _signers[0].PublicKey;

        Assert.False(_scheme.Verify(key, [.. message[..^1], (byte)(message[^1] ^ 1)], signature));
        Assert.False(_scheme.Verify(key, message, [.. signature[..^1], (byte)(signature[^1] ^ 1)]));
        Assert.False(_scheme.Verify(key, message, signature[..^1]));
        Assert.False(_scheme.Verify(key[..^1], message, signature));
        Assert.False(_scheme.Verify(new byte[Ed25519SignatureScheme.PublicKeyBytes], message, signature));
        Assert.False(_scheme.Verify(_signers[1].PublicKey, message, signature));
    }

    [Fact]
    public void A_pbft_message_signed_by_a_key_outside_the_chain_is_rejected_at_the_edge()
    {
        var prepare = new Prepare(1, 0, 2, Digest.Of([2]));
        Assert.True(VerifyEnvelope(SignedBy(_signers[1], prepare)).Ok);

        var verdict = VerifyEnvelope(SignedBy(_stranger, prepare));

        Assert.False(verdict.Ok);
        Assert.Contains("signature of Prepare from replica 1 does not verify", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pbft_message_changed_after_signing_is_rejected_at_the_edge()
    {
        var signed = SignedBy(_signers[2], new Prepare(2, 0, 2, Digest.Of([2])));

        Assert.False(VerifyEnvelope(signed with { Message = new Prepare(2, 0, 2, Digest.Of([3])) }).Ok);
        Assert.False(VerifyEnvelope(signed with { Message = new Prepare(2, 0, 3, Digest.Of([2])) }).Ok);
        Assert.False(VerifyEnvelope(signed with { Message = new Prepare(3, 0, 2, Digest.Of([2])) }).Ok);
    }

    [Fact]
    public void A_commit_certificate_with_a_vote_signed_by_another_member_or_a_stranger_fails_verification()
    {
        var votes = _certified.Certificate.Votes.ToArray();
        var victim = votes[1];
        var byOtherMember = _signers[(victim.ReplicaId + 1) % 4];
        Assert.True(VerifyCertificate(_certified.Block, _certified.Certificate).Ok);

        foreach (var signer in new[] { byOtherMember, _stranger })
        {
            votes[1] = victim with { Signature = signer.Sign(victim.SigningBytes(ChainId)) };
            var verdict = VerifyCertificate(_certified.Block, _certified.Certificate with { Votes = [.. votes] });
            Assert.Contains($"the commit signature of replica {victim.ReplicaId}", verdict.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_commit_certificate_does_not_verify_a_tampered_block_or_a_vote_moved_to_another_view()
    {
        var block = _certified.Block;
        var tampered = new Block(block.Height, block.PreviousHash, block.Proposer, block.View, block.TimestampMs, [PbftHarness.Request(1, client: "mallory")]);
        Assert.Contains("certificate names block", VerifyCertificate(tampered, _certified.Certificate).Reason, StringComparison.Ordinal);

        // A vote whose signed fields are changed keeps its old signature, which then covers other bytes.
        var votes = _certified.Certificate.Votes.ToArray();
        votes[0] = votes[0] with { View = votes[0].View + 1 };
        var moved = _certified.Certificate with { View = votes[0].View, Votes = [votes[0], .. votes[1..].Select(v => v with { View = v.View + 1 })] };
        Assert.Contains("does not verify", VerifyCertificate(block, moved).Reason, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
        _stranger.Dispose();
    }
}
