using Swarm.Consensus.Blocks;
using Swarm.Consensus.Storage;

namespace Swarm.Actors.Consensus;

/// <summary>Adapts a durable <see cref="ILedgerStore"/> (SQLite, PostgreSQL, in memory) to what a replica host
/// needs. Height 0 holds the genesis bytes, so that block 1's previous hash (the genesis hash) links in the store
/// too. Blocks are kept in their canonical encoding and certificates in theirs; reading decodes and rejects
/// anything that does not decode with an error naming the height.</summary>
public sealed class LedgerStoreReplicaLedger : IReplicaLedger
{
    private readonly ILedgerStore _store;

    public LedgerStoreReplicaLedger(ILedgerStore store, Genesis genesis)
    {
        _store = store;
        var encoded = genesis.Encode();
        if (store.Head is null)
        {
            store.Append(StoredBlock.Genesis(encoded, []));
        }
        else if (store.Read(0) is not { } stored || !stored.Block.AsSpan().SequenceEqual(encoded))
        {
            throw new InvalidDataException($"ledger of chain '{store.ChainId}' holds another genesis than this chain's");
        }
    }

    public long Height => _store.Head?.Height ?? 0;

    public void Append(CertifiedBlock block) =>
        _store.Append(new StoredBlock(block.Block.Height, block.Block.Hash.ToBytes(), block.Block.PreviousHash.ToBytes(),
            block.Block.Encoded, block.Certificate.Encode()));

    public IReadOnlyList<CertifiedBlock> ReadRange(long from, long to)
    {
        var result = new List<CertifiedBlock>();
        var next = Math.Max(1, from);
        while (next <= to)
        {
            var last = Math.Min(to, next + LedgerLimits.RangeBlocksMax - 1);
            var stored = _store.ReadRange(next, last);
            foreach (var item in stored)
            {
                result.Add(Decode(item));
            }
            if (stored.Count < last - next + 1)
            {
                break;
            }
            next = last + 1;
        }
        return result;
    }

    public void SaveState(string key, byte[] value) => _store.SaveState(key, value);

    public byte[]? LoadState(string key) => _store.LoadState(key);

    private CertifiedBlock Decode(StoredBlock stored)
    {
        if (!BlockCodec.TryDecode(stored.Block, out var block, out var error)
            || !CommitCertificate.TryDecode(stored.Certificate, out var certificate, out error))
        {
            throw new InvalidDataException($"ledger of chain '{_store.ChainId}', height {stored.Height}: {error}");
        }
        return new CertifiedBlock(block!, certificate!);
    }
}
