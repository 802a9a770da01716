namespace Swarm.Consensus.Storage;

/// <summary>
/// An <see cref="ILedgerStore"/> in memory, for the deterministic simulator and tests. "Durable" means: kept by its
/// <see cref="InMemoryLedgerDisk"/>, which survives the store being dropped and reopened. It passes the same
/// conformance suite as the SQL stores.
/// </summary>
public sealed class InMemoryLedgerStore : ILedgerStore
{
    private readonly InMemoryLedgerDisk _disk;
    private bool _disposed;

    /// <summary>A store on a fresh disk of its own.</summary>
    public InMemoryLedgerStore(string chainId)
        : this(new InMemoryLedgerDisk(), chainId)
    {
    }

    /// <summary>A store of <paramref name="chainId"/> on <paramref name="disk"/>, seeing what earlier stores left there.</summary>
    public InMemoryLedgerStore(InMemoryLedgerDisk disk, string chainId)
    {
        ArgumentNullException.ThrowIfNull(disk);
        LedgerValidation.CheckChainId(chainId);
        _disk = disk;
        ChainId = chainId;
    }

    public string ChainId { get; }

    public LedgerHead? Head => WithChain(chain => chain.Count == 0 ? null : chain[^1].AsHead());

    public void Append(StoredBlock block)
    {
        WithChain(chain =>
        {
            LedgerValidation.CheckAppend(ChainId, chain.Count == 0 ? null : chain[^1].AsHead(), block);
            chain.Add(block.Copy());
            return 0;
        });
    }

    public StoredBlock? Read(long height) =>
        WithChain(chain => height >= 0 && height < chain.Count ? chain[(int)height].Copy() : null);

    public IReadOnlyList<StoredBlock> ReadRange(long from, long toInclusive) =>
        WithChain(chain =>
        {
            var end = LedgerValidation.RangeEnd(from, toInclusive, chain.Count == 0 ? null : chain[^1].AsHead());
            var blocks = new List<StoredBlock>();
            for (var height = from; height <= end; height++)
            {
                blocks.Add(chain[(int)height].Copy());
            }
            return (IReadOnlyList<StoredBlock>)blocks;
        });

    public void SaveState(string key, byte[] value)
    {
        LedgerValidation.CheckState(key, value);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _disk.SaveState(ChainId, key, value);
    }

    public byte[]? LoadState(string key)
    {
        LedgerValidation.CheckStateKey(key);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _disk.LoadState(ChainId, key);
    }

    public void Dispose() => _disposed = true;

    private T WithChain<T>(Func<List<StoredBlock>, T> action)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _disk.WithChain(ChainId, action);
    }
}
