using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>Proof that a block committed: a quorum (2f + 1) of signed commits from distinct members for the same
/// view, height and block hash (Castro and Liskov §4.2, committed(m, v, n)).</summary>
public sealed record CommitCertificate(long Height, long View, Digest BlockHash, IReadOnlyList<CommitVote> Votes)
{
    public const int SignatureBytesMax = 512;

    public byte[] Encode()
    {
        var writer = new CanonicalWriter(64 + Votes.Count * 96);
        WriteTo(writer);
        return writer.ToArray();
    }

    public void WriteTo(CanonicalWriter writer)
    {
        writer.WriteInt64(Height).WriteInt64(View).WriteDigest(BlockHash).WriteInt32(Votes.Count);
        foreach (var vote in Votes)
        {
            writer.WriteInt32(vote.ReplicaId).WriteBytes(vote.Signature);
        }
    }

    public static CommitCertificate ReadFrom(ref CanonicalReader reader)
    {
        var height = reader.ReadInt64();
        var view = reader.ReadInt64();
        var hash = reader.ReadDigest();
        var count = reader.ReadCount(Genesis.MembersMax, "vote list");
        var votes = new CommitVote[count];
        for (var i = 0; i < count; i++)
        {
            votes[i] = new CommitVote(reader.ReadInt32(), view, height, hash, reader.ReadBytes(SignatureBytesMax));
        }
        return new CommitCertificate(height, view, hash, votes);
    }

    public static bool TryDecode(ReadOnlySpan<byte> bytes, out CommitCertificate? certificate, out string error)
    {
        try
        {
            var reader = new CanonicalReader(bytes);
            certificate = ReadFrom(ref reader);
            reader.ExpectEnd();
            error = "";
            return true;
        }
        catch (CanonicalFormatException e)
        {
            certificate = null;
            error = "malformed certificate: " + e.Message;
            return false;
        }
    }
}
