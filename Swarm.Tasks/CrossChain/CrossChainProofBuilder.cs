using Swarm.Consensus.Blocks;

namespace Swarm.Tasks.CrossChain;

/// <summary>Builds a proof from a source chain's ledger, as a member (or anyone holding the ledger) of the
/// exporting chain does for an importer.</summary>
public static class CrossChainProofBuilder
{
    /// <summary>The proof that <paramref name="modelHash"/> is final on the chain of <paramref name="ledger"/>
    /// (its committed blocks from height 1, in order), with the blocks from <paramref name="fromHeight"/> (1 for an
    /// importer that trusts nothing of this chain yet; its trusted height + 1 otherwise) to the head
    /// <paramref name="toHeight"/> (default: the ledger's last block, so the proof carries the latest export
    /// statements), certified by the head's certificate. Throws when the ledger does not finalize that model: building a proof of something that
    /// did not happen is a caller's mistake.</summary>
    public static CrossChainProof Build(Genesis genesis, byte[] specBytes, IReadOnlyList<CertifiedBlock> ledger, string modelHash,
        string grantId, ISignatureVerifier verifier, long fromHeight = 1, long toHeight = 0)
    {
        var spec = TaskSpecCodec.Decode(specBytes);
        var (_, terms) = TaskGenesis.Create(spec, specBytes, [.. genesis.Members.OrderBy(m => m.Id).Select(m => m.PublicKey)]);
        var chain = TaskChain.Replay(terms, verifier, ledger);
        var final = chain.Finalized.FirstOrDefault(f => f.ModelHash == modelHash)
            ?? throw new ArgumentException($"chain {genesis.ChainId} finalizes no model {modelHash} in the {ledger.Count} blocks given", nameof(modelHash));
        if (fromHeight < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fromHeight), $"{fromHeight} is below 1");
        }
        var last = ledger.Max(b => b.Block.Height);
        var headHeight = toHeight == 0 ? last : toHeight;
        if (headHeight < final.Height || headHeight > last)
        {
            throw new ArgumentOutOfRangeException(nameof(toHeight), $"{toHeight} is not within {final.Height}..{last}");
        }
        var target = ledger.Single(b => b.Block.Height == final.Height);
        var head = ledger.Single(b => b.Block.Height == headHeight);
        var index = LastIndex(target.Block, modelHash);
        // The target travels even when the importer already trusts it: the vote's place is checked in it.
        var blocks = ledger.Where(b => b.Block.Height == final.Height || (b.Block.Height >= fromHeight && b.Block.Height <= headHeight))
            .OrderBy(b => b.Block.Height).Select(b => b.Block).ToList();
        return new CrossChainProof(genesis, specBytes, blocks, head.Certificate, modelHash, final.Height, index, grantId);
    }

    private static int LastIndex(Block block, string modelHash)
    {
        for (var i = block.Requests.Count - 1; i >= 0; i--)
        {
            if (TaskRequest.TryDecode(block.Requests[i].Payload, out _, out _, out _) is AggregateVote vote && vote.ModelHash == modelHash)
            {
                return i;
            }
        }
        throw new InvalidOperationException($"block {block.Height} finalizes {modelHash} but holds no vote for it");
    }
}
