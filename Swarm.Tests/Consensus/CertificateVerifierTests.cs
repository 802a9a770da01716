using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>Offline verification of a block's commit certificate with real Ed25519 keys, given only the
/// genesis: good, too few signatures, a forged signature, the wrong members, duplicates and strangers.</summary>
public sealed class CertificateVerifierTests : IDisposable
{
    private readonly Ed25519Signer[] _signers = Enumerable.Range(0, 4).Select(_ => Ed25519Signer.Generate()).ToArray();
    private readonly Ed25519SignatureScheme _scheme = new();
    private readonly Genesis _genesis;
    private readonly CertifiedBlock _certified;

    public CertificateVerifierTests()
    {
        var h = new PbftHarness(4, _scheme, _signers);
        _genesis = h.Genesis;
        h.Run(0, new SubmitRequest(PbftHarness.Request(1)));
        h.Pump();
        _certified = h.Ledgers[1].Single();
    }

    private Verdict Verify(CommitCertificate certificate, Swarm.Consensus.Blocks.Configuration? members = null) =>
        new CertificateVerifier(_genesis.ChainId, _scheme).Verify(members ?? _genesis.InitialConfiguration, _certified.Block, certificate);

    [Fact]
    public void Certificate_of_a_committed_block_verifies_offline_from_the_genesis()
    {
        Assert.Equal(3, _certified.Certificate.Votes.Count);
        Assert.True(Verify(_certified.Certificate).Ok);
        Assert.True(CommitCertificate.TryDecode(_certified.Certificate.Encode(), out var decoded, out _));
        Assert.True(Verify(decoded!).Ok);
    }

    [Fact]
    public void Certificate_with_too_few_signatures_is_rejected()
    {
        var weak = _certified.Certificate with { Votes = _certified.Certificate.Votes.Take(2).ToArray() };
        Assert.Contains("2 distinct commit votes, a quorum is 3", Verify(weak).Reason);
    }

    [Fact]
    public void Certificate_with_a_forged_signature_is_rejected()
    {
        var votes = _certified.Certificate.Votes.ToArray();
        var forged = (byte[])votes[1].Signature.Clone();
        forged[10] ^= 0x55;
        votes[1] = votes[1] with { Signature = forged };
        var verdict = Verify(_certified.Certificate with { Votes = votes });
        Assert.False(verdict.Ok);
        Assert.Contains($"replica {votes[1].ReplicaId}", verdict.Reason);
    }

    [Fact]
    public void Certificate_checked_against_the_wrong_members_is_rejected()
    {
        using var other = Ed25519Signer.Generate();
        var wrong = new Swarm.Consensus.Blocks.Configuration(_genesis.Members.Select(m => m with { PublicKey = other.PublicKey }).ToArray(), 1);
        Assert.Contains("does not verify", Verify(_certified.Certificate, wrong).Reason);
    }

    [Fact]
    public void Certificate_with_a_repeated_voter_or_a_stranger_is_rejected()
    {
        var votes = _certified.Certificate.Votes;
        var repeated = _certified.Certificate with { Votes = [votes[0], votes[0], votes[1]] };
        Assert.Contains("votes twice", Verify(repeated).Reason);
        var stranger = _certified.Certificate with { Votes = [votes[0], votes[1], votes[2] with { ReplicaId = 9 }] };
        Assert.Contains("not a member", Verify(stranger).Reason);
    }

    [Fact]
    public void Certificate_for_another_block_is_rejected()
    {
        var other = new Block(1, _genesis.Hash, 0, 0, 0, [PbftHarness.Request(99)]);
        var verdict = new CertificateVerifier(_genesis.ChainId, _scheme).Verify(_genesis.InitialConfiguration, other, _certified.Certificate);
        Assert.Contains("certificate names block", verdict.Reason);
    }

    public void Dispose()
    {
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
    }
}
