namespace Swarm.Consensus.Blocks;

/// <summary>Verifies a block against its commit certificate, offline, given the configuration in force at the
/// block's height (the genesis members, or those after committed membership changes). This is the basis of
/// cross-chain proofs: a verifier needs only the genesis and the chain, no live replica.</summary>
public sealed class CertificateVerifier(string chainId, ISignatureVerifier signatures)
{
    /// <summary>Full check: structure and every signature.</summary>
    public Verdict Verify(Configuration configuration, Block block, CommitCertificate certificate)
    {
        var structure = CheckStructure(configuration, block, certificate);
        if (!structure.Ok)
        {
            return structure;
        }
        foreach (var vote in certificate.Votes)
        {
            var signature = CheckSignature(configuration, vote);
            if (!signature.Ok)
            {
                return signature;
            }
        }
        return Verdict.Accept;
    }

    public Verdict CheckSignature(Configuration configuration, CommitVote vote)
    {
        var member = configuration.Find(vote.ReplicaId);
        if (member is null)
        {
            return Verdict.Reject($"vote from {vote.ReplicaId}, which is not a member");
        }
        return signatures.Verify(member.PublicKey, vote.SigningBytes(chainId), vote.Signature)
            ? Verdict.Accept
            : Verdict.Reject($"the commit signature of replica {vote.ReplicaId} at height {vote.Height} does not verify");
    }

    /// <summary>Everything except the signatures (the core's re-check of envelopes the edge already verified):
    /// the certificate names this block, and a quorum of distinct members voted for it in one view.</summary>
    public static Verdict CheckStructure(Configuration configuration, Block block, CommitCertificate certificate)
    {
        if (certificate.Height != block.Height)
        {
            return Verdict.Reject($"certificate height {certificate.Height} is not the block height {block.Height}");
        }
        if (certificate.BlockHash != block.Hash)
        {
            return Verdict.Reject($"certificate names block {certificate.BlockHash}, the block hashes to {block.Hash}");
        }
        var voters = new HashSet<int>();
        foreach (var vote in certificate.Votes)
        {
            if (vote.Height != certificate.Height || vote.View != certificate.View || vote.BlockHash != certificate.BlockHash)
            {
                return Verdict.Reject($"the vote of replica {vote.ReplicaId} is for another view, height or block");
            }
            if (!configuration.Contains(vote.ReplicaId))
            {
                return Verdict.Reject($"vote from {vote.ReplicaId}, which is not a member");
            }
            if (!voters.Add(vote.ReplicaId))
            {
                return Verdict.Reject($"replica {vote.ReplicaId} votes twice");
            }
        }
        return voters.Count >= configuration.Quorum
            ? Verdict.Accept
            : Verdict.Reject($"{voters.Count} distinct commit votes, a quorum is {configuration.Quorum} ({configuration})");
    }
}
