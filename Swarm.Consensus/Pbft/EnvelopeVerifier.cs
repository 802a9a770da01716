using Swarm.Consensus.Blocks;

namespace Swarm.Consensus.Pbft;

/// <summary>The edge check every peer message passes before it reaches a replica (STYLE.md #7): the sender is a
/// known member and its signature verifies, and so does every signature nested inside (checkpoint and prepared
/// proofs in a view change, the view changes in a new view, the certificates in a block reply). The signature
/// scheme is an interface, so this stays pure; the core then re-checks structure (quorums, matching digests).</summary>
public sealed class EnvelopeVerifier(string chainId, ISignatureVerifier signatures)
{
    private readonly CertificateVerifier _certificates = new(chainId, signatures);

    public Verdict Verify(Configuration members, SignedMessage signed, out VerifiedMessage? verified)
    {
        verified = null;
        var verdict = CheckSigned(members, signed);
        if (!verdict.Ok)
        {
            return verdict;
        }
        verdict = CheckNested(members, signed.Message);
        if (verdict.Ok)
        {
            verified = new VerifiedMessage(signed);
        }
        return verdict;
    }

    private Verdict CheckSigned(Configuration members, SignedMessage signed)
    {
        var sender = signed.Message.Sender;
        var member = members.Find(sender);
        if (member is null)
        {
            return Verdict.Reject($"{signed.Message.GetType().Name} from {sender}, which is not a member");
        }
        return signatures.Verify(member.PublicKey, MessageCodec.SigningBytes(chainId, signed.Message), signed.Signature)
            ? Verdict.Accept
            : Verdict.Reject($"the signature of {signed.Message.GetType().Name} from replica {sender} does not verify");
    }

    private Verdict CheckNested(Configuration members, PbftMessage message) => message switch
    {
        ViewChange vc => CheckViewChange(members, vc),
        NewView nv => CheckAll(members, nv.ViewChanges, nested: true),
        BlocksReply reply => CheckBlocks(members, reply),
        RequestBatch batch => CheckApprovals(members, batch.Requests),
        PrePrepare pp => CheckApprovals(members, pp.Block.Requests),
        _ => Verdict.Accept,
    };

    /// <summary>Every approval of a membership change must be a known member's valid signature over the change
    /// (see <see cref="MembershipChange"/>); the core then counts whether they form a quorum.</summary>
    private Verdict CheckApprovals(Configuration members, IReadOnlyList<ClientRequest> requests)
    {
        foreach (var request in requests.Where(r => r.ClientId == MembershipChange.ClientId))
        {
            if (MembershipChange.TryParse(request) is not { } change)
            {
                continue;
            }
            var bytes = change.SigningBytes(chainId, request.RequestId);
            foreach (var approval in change.ApprovalList)
            {
                if (members.Find(approval.MemberId) is not { } member || !signatures.Verify(member.PublicKey, bytes, approval.Signature))
                {
                    return Verdict.Reject($"membership request {request.RequestId}: the approval of member {approval.MemberId} does not verify");
                }
            }
        }
        return Verdict.Accept;
    }

    private Verdict CheckViewChange(Configuration members, ViewChange vc)
    {
        var verdict = CheckAll(members, vc.CheckpointProof, nested: false);
        foreach (var proof in vc.Prepared)
        {
            if (!verdict.Ok)
            {
                return verdict;
            }
            verdict = CheckSigned(members, proof.PrePrepare);
            verdict = verdict.Ok ? CheckAll(members, proof.Prepares, nested: false) : verdict;
        }
        return verdict;
    }

    private Verdict CheckAll(Configuration members, IReadOnlyList<SignedMessage> list, bool nested)
    {
        foreach (var signed in list)
        {
            var verdict = CheckSigned(members, signed);
            if (verdict.Ok && nested)
            {
                verdict = CheckNested(members, signed.Message);
            }
            if (!verdict.Ok)
            {
                return Verdict.Reject("nested: " + verdict.Reason);
            }
        }
        return Verdict.Accept;
    }

    private Verdict CheckBlocks(Configuration members, BlocksReply reply)
    {
        foreach (var certified in reply.Blocks)
        {
            foreach (var vote in certified.Certificate.Votes)
            {
                var verdict = _certificates.CheckSignature(members, vote);
                if (!verdict.Ok)
                {
                    return verdict;
                }
            }
        }
        return Verdict.Accept;
    }
}
