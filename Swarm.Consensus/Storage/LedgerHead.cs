namespace Swarm.Consensus.Storage;

/// <summary>The last block of a chain: its height and its 32-byte hash. Equality compares the hash bytes.</summary>
public sealed record LedgerHead(long Height, byte[] Hash)
{
    public bool Equals(LedgerHead? other) =>
        other is not null && Height == other.Height && Hash.AsSpan().SequenceEqual(other.Hash);

    public override int GetHashCode() => HashCode.Combine(Height, BlockHashing.Fingerprint(Hash));

    public override string ToString() => $"{Height}:{Convert.ToHexStringLower(Hash)}";
}
