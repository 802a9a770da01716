using Swarm.Consensus.Blocks;

namespace Swarm.Consensus.Pbft;

/// <summary>Structural checks of a view-change message (Castro and Liskov §4.4): a correct checkpoint proof and
/// well-formed prepared certificates inside the watermark window above it, each judged by the configuration in
/// force at its height. Signatures were checked at the edge.</summary>
internal static class ViewChangeValidator
{
    public static Verdict Check(ViewChange vc, Func<long, Configuration> configFor, Genesis genesis)
    {
        var parameters = genesis.Parameters;
        if (vc.NewView < 1 || vc.StableSequence < 0 || vc.StableSequence % parameters.CheckpointIntervalBlocks != 0)
        {
            return Verdict.Reject($"view change from {vc.Sender}: view {vc.NewView} or checkpoint {vc.StableSequence} is invalid");
        }
        var checkpoint = CheckCheckpointProof(vc, configFor(vc.StableSequence), genesis);
        if (!checkpoint.Ok)
        {
            return checkpoint;
        }
        var seen = new HashSet<long>();
        foreach (var proof in vc.Prepared)
        {
            var verdict = CheckPrepared(vc, proof, configFor(proof.Proposal.Sequence), parameters);
            if (!verdict.Ok)
            {
                return verdict;
            }
            if (!seen.Add(proof.Proposal.Sequence))
            {
                return Verdict.Reject($"view change from {vc.Sender} carries two certificates for {proof.Proposal.Sequence}");
            }
        }
        return Verdict.Accept;
    }

    private static Verdict CheckCheckpointProof(ViewChange vc, Configuration config, Genesis genesis)
    {
        if (vc.StableSequence == 0)
        {
            return vc.StableHash == genesis.Hash && vc.StableTimestampMs == genesis.Parameters.GenesisTimestampMs
                ? Verdict.Accept
                : Verdict.Reject($"view change from {vc.Sender}: checkpoint 0 is not the genesis");
        }
        var senders = new HashSet<int>();
        foreach (var signed in vc.CheckpointProof)
        {
            if (signed.Message is not Checkpoint cp || cp.Sequence != vc.StableSequence || cp.BlockHash != vc.StableHash
                || cp.TimestampMs != vc.StableTimestampMs || !config.Contains(cp.Sender))
            {
                return Verdict.Reject($"view change from {vc.Sender}: checkpoint proof holds a message for another checkpoint");
            }
            senders.Add(cp.Sender);
        }
        return senders.Count >= config.Quorum
            ? Verdict.Accept
            : Verdict.Reject($"view change from {vc.Sender}: checkpoint proof has {senders.Count} signers, needs {config.Quorum}");
    }

    private static Verdict CheckPrepared(ViewChange vc, PreparedProof proof, Configuration config, ChainParameters parameters)
    {
        if (proof.PrePrepare.Message is not PrePrepare pp)
        {
            return Verdict.Reject($"view change from {vc.Sender}: prepared certificate without a pre-prepare");
        }
        if (pp.Sequence <= vc.StableSequence || pp.Sequence > vc.StableSequence + parameters.WatermarkWindowBlocks
            || pp.View >= vc.NewView || pp.Sender != config.Primary(pp.View) || pp.Block.Height != pp.Sequence)
        {
            return Verdict.Reject($"view change from {vc.Sender}: prepared certificate for {pp.Sequence} in view {pp.View} is out of bounds");
        }
        var senders = new HashSet<int>();
        foreach (var signed in proof.Prepares)
        {
            if (signed.Message is not Prepare p || p.View != pp.View || p.Sequence != pp.Sequence
                || p.BlockHash != pp.Block.Hash || p.Sender == pp.Sender || !config.Contains(p.Sender))
            {
                return Verdict.Reject($"view change from {vc.Sender}: prepare in the certificate for {pp.Sequence} does not match");
            }
            senders.Add(p.Sender);
        }
        return senders.Count >= config.Quorum - 1
            ? Verdict.Accept
            : Verdict.Reject($"view change from {vc.Sender}: certificate for {pp.Sequence} has {senders.Count} prepares, needs {config.Quorum - 1}");
    }
}
