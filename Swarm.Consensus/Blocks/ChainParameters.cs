using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>Protocol parameters every member must share, fixed in the genesis block.</summary>
/// <param name="BatchSizeMax">Most requests the primary puts in one block.</param>
/// <param name="CheckpointIntervalBlocks">K: a checkpoint every K blocks (Castro and Liskov §4.3).</param>
/// <param name="WatermarkWindowBlocks">L: sequence numbers accepted above the low watermark (§4.3; usually 2K).</param>
/// <param name="ClockSkewMaxMs">How far a proposed block timestamp may be from a replica's own clock.</param>
/// <param name="GenesisTimestampMs">The timestamp of height 0; block timestamps never go below it.</param>
public sealed record ChainParameters(
    int BatchSizeMax,
    int CheckpointIntervalBlocks,
    int WatermarkWindowBlocks,
    long ClockSkewMaxMs,
    long GenesisTimestampMs)
{
    public static ChainParameters Default => new(1_000, 16, 32, 30_000, 0);

    /// <summary>Returns an error naming the bad parameter, or null when the parameters are usable.</summary>
    public string? Validate()
    {
        if (BatchSizeMax < 1 || BatchSizeMax > BlockCodec.RequestsMax)
        {
            return $"BatchSizeMax {BatchSizeMax} must be in 1..{BlockCodec.RequestsMax}";
        }
        if (CheckpointIntervalBlocks < 1)
        {
            return $"CheckpointIntervalBlocks {CheckpointIntervalBlocks} must be at least 1";
        }
        if (WatermarkWindowBlocks < CheckpointIntervalBlocks)
        {
            return $"WatermarkWindowBlocks {WatermarkWindowBlocks} must be at least CheckpointIntervalBlocks {CheckpointIntervalBlocks}";
        }
        return ClockSkewMaxMs < 0 ? $"ClockSkewMaxMs {ClockSkewMaxMs} must not be negative" : null;
    }

    public void WriteTo(CanonicalWriter writer) =>
        writer.WriteInt32(BatchSizeMax).WriteInt32(CheckpointIntervalBlocks).WriteInt32(WatermarkWindowBlocks)
            .WriteInt64(ClockSkewMaxMs).WriteInt64(GenesisTimestampMs);

    public static ChainParameters ReadFrom(ref CanonicalReader reader) =>
        new(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64());
}
