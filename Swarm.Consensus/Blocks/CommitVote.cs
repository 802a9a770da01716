using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>One replica's signed commit for a block: the signature covers <see cref="SigningBytes"/>, which are
/// exactly the bytes that replica signed when it sent its PBFT commit message.</summary>
public sealed record CommitVote(int ReplicaId, long View, long Height, Digest BlockHash, byte[] Signature)
{
    public const string Domain = "swarm.pbft.v1";
    public const byte CommitKind = 4;

    public byte[] SigningBytes(string chainId) => SigningBytesFor(chainId, ReplicaId, View, Height, BlockHash);

    public static byte[] SigningBytesFor(string chainId, int replicaId, long view, long height, Digest blockHash)
    {
        var writer = new CanonicalWriter(96);
        writer.WriteString(Domain).WriteString(chainId).WriteByte(CommitKind)
            .WriteInt32(replicaId).WriteInt64(view).WriteInt64(height).WriteDigest(blockHash);
        return writer.ToArray();
    }
}
