using Swarm.Consensus.Blocks;

namespace Swarm.Actors.Consensus;

/// <summary>What a replica host needs from the ledger: durable, atomic appends of certified blocks, reads for
/// state transfer and restart, and the replica's hard state.</summary>
public interface IReplicaLedger
{
    long Height { get; }

    void Append(CertifiedBlock block);

    IReadOnlyList<CertifiedBlock> ReadRange(long from, long to);

    void SaveState(string key, byte[] value);

    byte[]? LoadState(string key);
}
