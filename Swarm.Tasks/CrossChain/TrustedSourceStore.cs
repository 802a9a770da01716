using Swarm.Consensus.Blocks;

namespace Swarm.Tasks.CrossChain;

/// <summary>
/// An importer's trusted views of the source chains it imported from (one <see cref="SourceChainView"/> per source
/// chain id), and the check of a cross-chain proof against them. Pure and deterministic: on an importing chain every
/// replica keeps one as part of the chain's state and applies the committed import requests in order, so all of
/// them trust the same source blocks and reach the same verdicts.
///
/// A proof is accepted when: its genesis is the one the import names (and the one its spec gives); its new blocks
/// follow the trusted ones without a gap or a broken link; the last block (the head) is certified by a quorum of the
/// configuration in force at its height (membership changes followed from the blocks); the target block holds, at
/// the given index, an aggregate vote for the model hash, and the source task finalized that model in that block;
/// and the export grant named is in force at the latest source height the importer knows, covering the importing
/// chain, the model and the layers asked for. A grant withdrawn at a height the importer has seen makes the model
/// stale (refused), even for a proof whose own blocks end before the withdrawal.
/// </summary>
public sealed class TrustedSourceStore(ISignatureVerifier verifier)
{
    private readonly Dictionary<string, SourceChainView> _views = new(StringComparer.Ordinal);

    public SourceChainView? Find(string sourceChainId) => _views.GetValueOrDefault(sourceChainId);

    public IReadOnlyCollection<SourceChainView> Views => _views.Values;

    public ImportVerdict Verify(CrossChainProof proof, SourceAnchor anchor, string importerChainId, IReadOnlyList<string> layers)
    {
        if (proof.Genesis.ChainId != anchor.ChainId)
        {
            return ImportVerdict.Refuse($"wrong genesis: the proof is of chain {proof.Genesis.ChainId}, the import names {anchor.ChainId}");
        }
        if (proof.Genesis.Hash != anchor.GenesisHash)
        {
            return ImportVerdict.Refuse($"wrong genesis: the proof's genesis of {anchor.ChainId} hashes to {proof.Genesis.Hash}, " +
                $"the import names genesis {anchor.GenesisHash}");
        }
        var view = _views.GetValueOrDefault(anchor.ChainId);
        var anchoredNow = false;
        if (view is null)
        {
            if (SourceChainView.Anchor(proof, verifier, out var problem) is not { } anchored)
            {
                return ImportVerdict.Refuse(problem);
            }
            view = anchored;
            anchoredNow = true;
        }
        var (added, extendProblem) = view.Extend(proof);
        if (extendProblem is not null)
        {
            return ImportVerdict.Refuse(extendProblem);
        }
        if (anchoredNow)
        {
            _views[anchor.ChainId] = view;
        }
        return CheckModel(view, proof, importerChainId, layers, added);
    }

    private static ImportVerdict CheckModel(SourceChainView view, CrossChainProof proof, string importerChainId,
        IReadOnlyList<string> layers, int added)
    {
        var chain = view.Genesis.ChainId;
        if (proof.Target is not { } target)
        {
            return ImportVerdict.Refuse($"model hash not in block: the proof does not hold block {proof.TargetHeight} of {chain}, where it says the model is final");
        }
        if (proof.VoteIndex < 0 || proof.VoteIndex >= target.Requests.Count)
        {
            return ImportVerdict.Refuse($"model hash not in block: block {target.Height} of {chain} has {target.Requests.Count} requests, " +
                $"the proof points at request {proof.VoteIndex}");
        }
        var named = TaskRequest.TryDecode(target.Requests[proof.VoteIndex].Payload, out _, out _, out _) as AggregateVote;
        if (named is null || named.ModelHash != proof.ModelHash)
        {
            return ImportVerdict.Refuse($"model hash not in block: request {proof.VoteIndex} of block {target.Height} of {chain} is not " +
                $"an aggregate vote for model {Short(proof.ModelHash)}");
        }
        var final = view.Task.Finalized.FirstOrDefault(f => f.ModelHash == proof.ModelHash && f.Height == target.Height);
        if (final is null)
        {
            return ImportVerdict.Refuse($"model {Short(proof.ModelHash)} is not final on {chain} at block {target.Height}: " +
                "the votes for it there do not finalize a round");
        }
        var permitted = view.Policy.Permits(proof.GrantId, importerChainId, proof.ModelHash, layers);
        return permitted.Ok
            ? new ImportVerdict(new VerifiedImport(chain, proof.ModelHash, final.Round, final.Height, proof.GrantId, layers, added), "")
            : ImportVerdict.Refuse(permitted.Reason);
    }

    private static string Short(string hash) => hash[..Math.Min(12, hash.Length)];
}
