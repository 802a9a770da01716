using Swarm.Consensus.Blocks;

namespace Swarm.Consensus.Pbft;

/// <summary>What a new view re-proposes (Castro and Liskov §4.4, the set O), computed identically by the new
/// primary and every backup from the quorum of view changes: min-s is the latest stable checkpoint among them,
/// and for every sequence above it up to max-s the block prepared in the highest view, or a null block where
/// none was prepared. Blocks are chained, so a chosen block that does not link to its chosen predecessor is
/// replaced by a null block too; that can only happen to blocks that never committed, because an honest replica
/// prepares a block only after preparing its predecessor in the same view (see Replica.Ordering).</summary>
public sealed record NewViewPlan(StableCheckpoint Base, IReadOnlyList<Block> Blocks)
{
    public long MaxSequence => Blocks.Count == 0 ? Base.Sequence : Blocks[^1].Height;

    public static NewViewPlan Compute(IReadOnlyList<ViewChange> viewChanges, long newView, int newPrimary)
    {
        var best = viewChanges.MaxBy(vc => vc.StableSequence)!;
        var proofOwner = best;
        var @base = new StableCheckpoint(best.StableSequence, best.StableHash, best.StableTimestampMs, proofOwner.CheckpointProof);
        var chosen = new Dictionary<long, PrePrepare>();
        foreach (var proof in viewChanges.SelectMany(vc => vc.Prepared))
        {
            var pp = proof.Proposal;
            if (pp.Sequence > @base.Sequence && (!chosen.TryGetValue(pp.Sequence, out var other) || other.View < pp.View))
            {
                chosen[pp.Sequence] = pp;
            }
        }
        var maxSequence = chosen.Count == 0 ? @base.Sequence : chosen.Keys.Max();
        var blocks = new List<Block>();
        var previousHash = @base.Hash;
        var previousTimestamp = @base.TimestampMs;
        for (var n = @base.Sequence + 1; n <= maxSequence; n++)
        {
            var block = chosen.TryGetValue(n, out var pp) && pp.Block.PreviousHash == previousHash
                ? pp.Block
                : new Block(n, previousHash, newPrimary, newView, previousTimestamp, []);
            blocks.Add(block);
            previousHash = block.Hash;
            previousTimestamp = block.TimestampMs;
        }
        return new NewViewPlan(@base, blocks);
    }
}
