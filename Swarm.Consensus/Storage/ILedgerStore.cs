namespace Swarm.Consensus.Storage;

/// <summary>
/// The durable log of one chain (one training task): its committed blocks in height order and the replica's hard
/// state (view, last stable checkpoint, ...). A store is opened for exactly one chain id; many chains may share one
/// database. Implementations pass the conformance suite in Swarm.Tests/Persistence.
/// </summary>
/// <remarks>
/// Contract, common to every implementation:
/// <list type="bullet">
/// <item><see cref="Append"/> is atomic and durable: when it returns, the block survives a crash of the process
/// (and, for the disk stores, of the machine); when it throws or the process dies inside it, no part of the block
/// is stored. Reopening the store yields the same chain.</item>
/// <item>A block is accepted only when <see cref="LedgerValidation.CheckAppend"/> accepts it: its height is head+1
/// (0 for genesis), its previous hash is the head's hash (empty for genesis), its hash is 32 bytes and equals
/// SHA-256 of the canonical block bytes, and its sizes are within <see cref="LedgerLimits"/>. Otherwise it throws
/// a <see cref="LedgerException"/> that says which rule failed; the store is unchanged.</item>
/// <item>Two appenders of the same height on the same chain (two store instances over one database) never both
/// win: exactly one succeeds and the other gets a <see cref="LedgerException"/>.</item>
/// <item>Returned blocks and state values are copies: mutating them never changes the store.</item>
/// <item>An instance may be used from several threads; its calls are serialized.</item>
/// </list>
/// The interface is synchronous on purpose: the consensus actor persists before it sends (etcd raft: "no messages
/// be sent until the latest HardState has been persisted"), so it waits for the write either way.
/// </remarks>
public interface ILedgerStore : IDisposable
{
    /// <summary>The chain this store was opened for.</summary>
    string ChainId { get; }

    /// <summary>Height and hash of the last stored block, or null while the chain is empty.</summary>
    LedgerHead? Head { get; }

    /// <summary>Stores the next block atomically and durably, or throws <see cref="LedgerException"/>.</summary>
    void Append(StoredBlock block);

    /// <summary>The block at <paramref name="height"/>, or null when there is none.</summary>
    StoredBlock? Read(long height);

    /// <summary>
    /// The stored blocks with heights in [<paramref name="from"/>, <paramref name="toInclusive"/>], in height order;
    /// heights above the head are simply absent (so <c>ReadRange(h, long.MaxValue)</c> reads to the head), and an empty
    /// list comes back when <paramref name="toInclusive"/> is below <paramref name="from"/>. The part at or below the
    /// head may span at most <see cref="LedgerLimits.RangeBlocksMax"/> blocks.
    /// </summary>
    IReadOnlyList<StoredBlock> ReadRange(long from, long toInclusive);

    /// <summary>Replaces the value of a hard-state key atomically and durably.</summary>
    void SaveState(string key, byte[] value);

    /// <summary>The last value saved under <paramref name="key"/>, or null when none was.</summary>
    byte[]? LoadState(string key);
}
