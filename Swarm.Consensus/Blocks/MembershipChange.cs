using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>A member's signature approving one membership change (<see cref="MembershipChange.SigningBytes"/>).</summary>
public sealed record MemberApproval(int MemberId, byte[] Signature);

/// <summary>A reconfiguration request. It travels as an ordinary client request with client id
/// <see cref="ClientId"/>, so it is ordered and certified like any other block content. When the block holding
/// it commits at height h, the new membership takes effect for heights above the first checkpoint height A with
/// A ≥ h + L (L the watermark window): no replica can be working on a height above A before it has executed h,
/// so every replica switches configuration at the same height.
///
/// The rule the genesis fixes: a change applies only with the approvals (signatures over
/// <see cref="SigningBytes"/>) of a quorum of the configuration it changes. Anyone may relay it, but no f members
/// can reconfigure the chain, replace a member's key or add themselves twice. The edge verifies the signatures
/// before a replica votes (<c>EnvelopeVerifier</c>); the core counts distinct approving members.</summary>
public sealed record MembershipChange(MembershipChangeKind Kind, Member Member, IReadOnlyList<MemberApproval>? Approvals = null)
{
    public const string ClientId = "swarm.membership";
    private const string Domain = "swarm.membership.v1";

    public IReadOnlyList<MemberApproval> ApprovalList => Approvals ?? [];

    /// <summary>What each approving member signs: the chain, the request id (so an approval cannot be replayed
    /// under another id) and the change.</summary>
    public byte[] SigningBytes(string chainId, long requestId)
    {
        var writer = new CanonicalWriter();
        writer.WriteString(Domain).WriteString(chainId).WriteInt64(requestId)
            .WriteByte((byte)Kind).WriteInt32(Member.Id).WriteBytes(Member.PublicKey);
        return writer.ToArray();
    }

    public ClientRequest ToRequest(long requestId)
    {
        var writer = new CanonicalWriter();
        writer.WriteByte((byte)Kind).WriteInt32(Member.Id).WriteBytes(Member.PublicKey).WriteInt32(ApprovalList.Count);
        foreach (var approval in ApprovalList)
        {
            writer.WriteInt32(approval.MemberId).WriteBytes(approval.Signature);
        }
        return new ClientRequest(ClientId, requestId, writer.ToArray());
    }

    /// <summary>Whether distinct members of <paramref name="config"/> forming a quorum approved the change
    /// (their signatures were checked at the edge).</summary>
    public bool ApprovedBy(Configuration config) =>
        ApprovalList.Select(a => a.MemberId).Where(config.Contains).Distinct().Count() >= config.Quorum;

    /// <summary>Reads a membership change from a committed request; a malformed one is ignored by every replica
    /// alike (returns null), since the committed order is the same everywhere.</summary>
    public static MembershipChange? TryParse(ClientRequest request)
    {
        if (request.ClientId != ClientId)
        {
            return null;
        }
        try
        {
            var reader = new CanonicalReader(request.Payload);
            var kind = (MembershipChangeKind)reader.ReadByte();
            var member = new Member(reader.ReadInt32(), reader.ReadBytes(Genesis.PublicKeyBytesMax));
            var count = reader.ReadCount(Genesis.MembersMax, "membership approvals");
            var approvals = new MemberApproval[count];
            for (var i = 0; i < count; i++)
            {
                approvals[i] = new MemberApproval(reader.ReadInt32(), reader.ReadBytes(CommitCertificate.SignatureBytesMax));
            }
            reader.ExpectEnd();
            return kind is MembershipChangeKind.Add or MembershipChangeKind.Remove && member.Id >= 0
                ? new MembershipChange(kind, member, approvals)
                : null;
        }
        catch (CanonicalFormatException)
        {
            return null;
        }
    }

    public static long ActivationHeight(long committedHeight, ChainParameters parameters)
    {
        var earliest = committedHeight + parameters.WatermarkWindowBlocks;
        var k = parameters.CheckpointIntervalBlocks;
        return (earliest + k - 1) / k * k;
    }
}
