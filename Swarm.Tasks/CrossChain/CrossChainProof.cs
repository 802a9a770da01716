using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Tasks.CrossChain;

/// <summary>
/// What an importing chain needs to believe, offline, that a source chain finalized a model and lets it out:
/// the source chain's genesis (members, keys, parameters) and task spec (whose digest the chain id binds), the
/// source blocks from <see cref="FirstHeight"/> to the target block in order (from height 1 for an importer that
/// knows nothing of the source yet, or from just above what it already trusts) up to a head block at or above the
/// target block (the one that finalized the model), the head's commit certificate, the model hash with the target's
/// height and the index of the aggregate vote there that finalized its round, and the export grant relied on (its
/// statements are in the blocks up to the head, which is why the head may lie above the target).
///
/// The blocks are whole: a block's hash covers its requests, and only the requests show the membership changes
/// (which decide who may certify later blocks), the task's votes (which decide which model is final) and the export
/// statements (which decide what may leave). The head's certificate authenticates every earlier block through the
/// hash links, since honest replicas only commit a block that extends the chain they executed.
/// </summary>
public sealed record CrossChainProof(
    Genesis Genesis,
    byte[] SpecBytes,
    IReadOnlyList<Block> Blocks,
    CommitCertificate Certificate,
    string ModelHash,
    long TargetHeight,
    int VoteIndex,
    string GrantId)
{
    public const string Domain = "swarm.cross-chain-proof.v1";
    public const int BlocksMax = 100_000;
    public const int SpecBytesMax = 1 << 16;
    private const int BlockBytesMax = 1 << 24;
    private const int HashBytesMax = 128;

    public long FirstHeight => Blocks.Count == 0 ? 0 : Blocks[0].Height;

    /// <summary>The last block, which <see cref="Certificate"/> certifies.</summary>
    public Block? Head => Blocks.Count == 0 ? null : Blocks[^1];

    /// <summary>The block that finalized the model; null when the proof does not hold it.</summary>
    public Block? Target => Blocks.FirstOrDefault(b => b.Height == TargetHeight);

    public byte[] Encode()
    {
        var writer = new CanonicalWriter(1024 + Blocks.Sum(b => b.Encoded.Length + 8));
        writer.WriteString(Domain).WriteBytes(Genesis.Encode()).WriteBytes(SpecBytes).WriteInt32(Blocks.Count);
        foreach (var block in Blocks)
        {
            writer.WriteBytes(block.Encoded);
        }
        Certificate.WriteTo(writer);
        writer.WriteString(ModelHash).WriteInt64(TargetHeight).WriteInt32(VoteIndex).WriteString(GrantId);
        return writer.ToArray();
    }

    /// <summary>Decodes a proof; malformed bytes become a reason, never an exception.</summary>
    public static CrossChainProof? TryDecode(ReadOnlySpan<byte> bytes, out string problem)
    {
        try
        {
            var reader = new CanonicalReader(bytes);
            if (reader.ReadString(64) != Domain)
            {
                problem = "not a cross-chain proof";
                return null;
            }
            var genesis = GenesisCodec.ReadFrom(reader.ReadBytes(1 << 20));
            var spec = reader.ReadBytes(SpecBytesMax);
            var count = reader.ReadCount(BlocksMax, "proof blocks");
            var blocks = new Block[count];
            for (var i = 0; i < count; i++)
            {
                if (!BlockCodec.TryDecode(reader.ReadBytes(BlockBytesMax), out var block, out var error))
                {
                    problem = $"proof block {i}: {error}";
                    return null;
                }
                blocks[i] = block!;
            }
            var certificate = CommitCertificate.ReadFrom(ref reader);
            var model = reader.ReadString(HashBytesMax);
            var targetHeight = reader.ReadInt64();
            var index = reader.ReadInt32();
            var grant = reader.ReadString(ExportPolicyRequest.GrantIdBytesMax);
            reader.ExpectEnd();
            problem = "";
            return new CrossChainProof(genesis, spec, blocks, certificate, model, targetHeight, index, grant);
        }
        catch (CanonicalFormatException e)
        {
            problem = $"malformed cross-chain proof: {e.Message}";
            return null;
        }
    }
}
