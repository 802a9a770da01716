using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>A reconfiguration request. It travels as an ordinary client request with client id
/// <see cref="ClientId"/>, so it is ordered and certified like any other block content. When the block holding
/// it commits at height h, the new membership takes effect for heights above the first checkpoint height A with
/// A ≥ h + L (L the watermark window): no replica can be working on a height above A before it has executed h,
/// so every replica switches configuration at the same height.</summary>
public sealed record MembershipChange(MembershipChangeKind Kind, Member Member)
{
    public const string ClientId = "swarm.membership";

    public ClientRequest ToRequest(long requestId)
    {
        var writer = new CanonicalWriter();
        writer.WriteByte((byte)Kind).WriteInt32(Member.Id).WriteBytes(Member.PublicKey);
        return new ClientRequest(ClientId, requestId, writer.ToArray());
    }

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
            reader.ExpectEnd();
            return kind is MembershipChangeKind.Add or MembershipChangeKind.Remove && member.Id >= 0
                ? new MembershipChange(kind, member)
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
