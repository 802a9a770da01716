namespace Swarm.Consensus.Storage;

/// <summary>
/// A committed block as the ledger keeps it: the canonical block bytes, their SHA-256 <paramref name="Hash"/>, the
/// hash of the block before (empty for genesis) and the commit certificate that makes it verifiable offline.
/// The store checks the links and the hash but never decodes <paramref name="Block"/> or
/// <paramref name="Certificate"/>. Equality compares contents.
/// </summary>
public sealed record StoredBlock(long Height, byte[] Hash, byte[] PreviousHash, byte[] Block, byte[] Certificate)
{
    /// <summary>A genesis block (height 0, empty previous hash) whose hash is computed from its bytes.</summary>
    public static StoredBlock Genesis(byte[] block, byte[] certificate) =>
        new(0, BlockHashing.Hash(block), [], block, certificate);

    /// <summary>The block that follows <paramref name="head"/>, its hash computed from its bytes.</summary>
    public static StoredBlock After(LedgerHead head, byte[] block, byte[] certificate) =>
        new(head.Height + 1, BlockHashing.Hash(block), head.Hash, block, certificate);

    /// <summary>The head this block makes when appended.</summary>
    public LedgerHead AsHead() => new(Height, Hash);

    /// <summary>A deep copy, so that a caller's later writes to the arrays never reach the store.</summary>
    public StoredBlock Copy() =>
        new(Height, (byte[])Hash.Clone(), (byte[])PreviousHash.Clone(), (byte[])Block.Clone(), (byte[])Certificate.Clone());

    public bool Equals(StoredBlock? other) =>
        other is not null
        && Height == other.Height
        && Hash.AsSpan().SequenceEqual(other.Hash)
        && PreviousHash.AsSpan().SequenceEqual(other.PreviousHash)
        && Block.AsSpan().SequenceEqual(other.Block)
        && Certificate.AsSpan().SequenceEqual(other.Certificate);

    public override int GetHashCode() => HashCode.Combine(Height, BlockHashing.Fingerprint(Hash));

    public override string ToString() =>
        $"StoredBlock {{ Height = {Height}, Hash = {Convert.ToHexStringLower(Hash)}, Block = {Block.Length} B, Certificate = {Certificate.Length} B }}";
}
