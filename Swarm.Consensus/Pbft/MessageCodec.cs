using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

/// <summary>Canonical encoding of PBFT messages: a kind byte, then the fields in declaration order. The same
/// bytes, prefixed with the domain and chain id, are what a sender signs; a commit's signing bytes equal
/// <see cref="CommitVote.SigningBytesFor"/>, which is what makes commits usable as a block certificate.</summary>
public static class MessageCodec
{
    public const int ListMax = 10_000;
    public const int SignatureBytesMax = CommitCertificate.SignatureBytesMax;

    private const byte RequestBatchKind = 1;
    private const byte PrePrepareKind = 2;
    private const byte PrepareKind = 3;
    private const byte CommitKind = CommitVote.CommitKind;
    private const byte CheckpointKind = 5;
    private const byte ViewChangeKind = 6;
    private const byte NewViewKind = 7;
    private const byte FetchBlocksKind = 8;
    private const byte BlocksReplyKind = 9;

    public static byte[] SigningBytes(string chainId, PbftMessage message)
    {
        var writer = new CanonicalWriter(128 + chainId.Length + SizeHint(message));
        writer.WriteString(CommitVote.Domain).WriteString(chainId);
        WriteMessage(writer, message);
        return writer.ToArray();
    }

    public static byte[] Encode(SignedMessage signed)
    {
        var writer = new CanonicalWriter(256 + signed.Signature.Length + SizeHint(signed.Message));
        WriteSigned(writer, signed);
        return writer.ToArray();
    }

    /// <summary>The bytes of the blocks a message carries, which dominate its size: a writer sized for them is not
    /// grown (and copied) again and again while a block of many requests is written.</summary>
    private static int SizeHint(PbftMessage message) => message switch
    {
        PrePrepare m => m.Block.Encoded.Length,
        BlocksReply m => m.Blocks.Sum(b => b.Block.Encoded.Length + 64 + b.Certificate.Votes.Count * 96),
        _ => 0,
    };

    /// <summary>Decodes a frame from the wire; malformed bytes become an error naming the problem.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out SignedMessage? signed, out string error)
    {
        try
        {
            var reader = new CanonicalReader(bytes);
            signed = ReadSigned(ref reader);
            reader.ExpectEnd();
            error = "";
            return true;
        }
        catch (CanonicalFormatException e)
        {
            signed = null;
            error = "malformed message: " + e.Message;
            return false;
        }
    }

    public static void WriteSigned(CanonicalWriter writer, SignedMessage signed)
    {
        WriteMessage(writer, signed.Message);
        writer.WriteBytes(signed.Signature);
    }

    public static SignedMessage ReadSigned(ref CanonicalReader reader)
    {
        var message = ReadMessage(ref reader);
        return new SignedMessage(message, reader.ReadBytes(SignatureBytesMax));
    }

    public static void WriteMessage(CanonicalWriter writer, PbftMessage message)
    {
        switch (message)
        {
            case RequestBatch m:
                writer.WriteByte(RequestBatchKind).WriteInt32(m.Sender).WriteInt32(m.Requests.Count);
                foreach (var request in m.Requests)
                {
                    request.WriteTo(writer);
                }
                break;
            case PrePrepare m:
                writer.WriteByte(PrePrepareKind).WriteInt32(m.Sender).WriteInt64(m.View).WriteInt64(m.Sequence);
                BlockCodec.WriteTo(writer, m.Block);
                break;
            case Prepare m:
                writer.WriteByte(PrepareKind).WriteInt32(m.Sender).WriteInt64(m.View).WriteInt64(m.Sequence).WriteDigest(m.BlockHash);
                break;
            case Commit m:
                writer.WriteByte(CommitKind).WriteInt32(m.Sender).WriteInt64(m.View).WriteInt64(m.Sequence).WriteDigest(m.BlockHash);
                break;
            case Checkpoint m:
                writer.WriteByte(CheckpointKind).WriteInt32(m.Sender).WriteInt64(m.Sequence).WriteDigest(m.BlockHash).WriteInt64(m.TimestampMs);
                break;
            case ViewChange m:
                WriteViewChange(writer, m);
                break;
            case NewView m:
                writer.WriteByte(NewViewKind).WriteInt32(m.Sender).WriteInt64(m.View);
                WriteSignedList(writer, m.ViewChanges);
                break;
            case FetchBlocks m:
                writer.WriteByte(FetchBlocksKind).WriteInt32(m.Sender).WriteInt64(m.FromHeight).WriteInt64(m.ToHeight);
                break;
            case BlocksReply m:
                writer.WriteByte(BlocksReplyKind).WriteInt32(m.Sender).WriteInt32(m.Blocks.Count);
                foreach (var certified in m.Blocks)
                {
                    BlockCodec.WriteTo(writer, certified.Block);
                    certified.Certificate.WriteTo(writer);
                }
                break;
            default:
                Invariant.Assert(false, $"no encoding for {message.GetType().Name}");
                break;
        }
    }

    public static PbftMessage ReadMessage(ref CanonicalReader reader)
    {
        var kind = reader.ReadByte();
        var sender = reader.ReadInt32();
        switch (kind)
        {
            case RequestBatchKind:
                {
                    var count = reader.ReadCount(BlockCodec.RequestsMax, "request batch");
                    var requests = new ClientRequest[count];
                    for (var i = 0; i < count; i++)
                    {
                        requests[i] = ClientRequest.ReadFrom(ref reader);
                    }
                    return new RequestBatch(sender, requests);
                }
            case PrePrepareKind:
                return new PrePrepare(sender, reader.ReadInt64(), reader.ReadInt64(), BlockCodec.ReadFrom(ref reader));
            case PrepareKind:
                return new Prepare(sender, reader.ReadInt64(), reader.ReadInt64(), reader.ReadDigest());
            case CommitKind:
                return new Commit(sender, reader.ReadInt64(), reader.ReadInt64(), reader.ReadDigest());
            case CheckpointKind:
                return new Checkpoint(sender, reader.ReadInt64(), reader.ReadDigest(), reader.ReadInt64());
            case ViewChangeKind:
                return ReadViewChange(ref reader, sender);
            case NewViewKind:
                return new NewView(sender, reader.ReadInt64(), ReadSignedList(ref reader));
            case FetchBlocksKind:
                return new FetchBlocks(sender, reader.ReadInt64(), reader.ReadInt64());
            case BlocksReplyKind:
                {
                    var count = reader.ReadCount(ListMax, "block list");
                    var blocks = new CertifiedBlock[count];
                    for (var i = 0; i < count; i++)
                    {
                        blocks[i] = new CertifiedBlock(BlockCodec.ReadFrom(ref reader), CommitCertificate.ReadFrom(ref reader));
                    }
                    return new BlocksReply(sender, blocks);
                }
            default:
                throw new CanonicalFormatException($"unknown message kind {kind}");
        }
    }

    private static void WriteViewChange(CanonicalWriter writer, ViewChange m)
    {
        writer.WriteByte(ViewChangeKind).WriteInt32(m.Sender).WriteInt64(m.NewView).WriteInt64(m.StableSequence)
            .WriteDigest(m.StableHash).WriteInt64(m.StableTimestampMs);
        WriteSignedList(writer, m.CheckpointProof);
        WritePreparedList(writer, m.Prepared);
    }

    /// <summary>Prepared certificates, as in a view change and in the hard state.</summary>
    public static void WritePreparedList(CanonicalWriter writer, IReadOnlyList<PreparedProof> prepared)
    {
        writer.WriteInt32(prepared.Count);
        foreach (var proof in prepared)
        {
            WritePrepared(writer, proof);
        }
    }

    public static void WritePrepared(CanonicalWriter writer, PreparedProof proof)
    {
        WriteSigned(writer, proof.PrePrepare);
        WriteSignedList(writer, proof.Prepares);
    }

    public static PreparedProof[] ReadPreparedList(ref CanonicalReader reader)
    {
        var count = reader.ReadCount(ListMax, "prepared list");
        var prepared = new PreparedProof[count];
        for (var i = 0; i < count; i++)
        {
            prepared[i] = new PreparedProof(ReadSigned(ref reader), ReadSignedList(ref reader));
        }
        return prepared;
    }

    private static ViewChange ReadViewChange(ref CanonicalReader reader, int sender)
    {
        var newView = reader.ReadInt64();
        var stable = reader.ReadInt64();
        var hash = reader.ReadDigest();
        var timestamp = reader.ReadInt64();
        var proof = ReadSignedList(ref reader);
        var prepared = ReadPreparedList(ref reader);
        return new ViewChange(sender, newView, stable, hash, timestamp, proof, prepared);
    }

    public static void WriteSignedList(CanonicalWriter writer, IReadOnlyList<SignedMessage> list)
    {
        writer.WriteInt32(list.Count);
        foreach (var signed in list)
        {
            WriteSigned(writer, signed);
        }
    }

    public static SignedMessage[] ReadSignedList(ref CanonicalReader reader)
    {
        var count = reader.ReadCount(Genesis.MembersMax, "signed message list");
        var list = new SignedMessage[count];
        for (var i = 0; i < count; i++)
        {
            list[i] = ReadSigned(ref reader);
        }
        return list;
    }
}
