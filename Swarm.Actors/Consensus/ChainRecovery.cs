using Akka.Persistence;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Actors.Consensus;

/// <summary>Rebuilds a chain's ledger from its journal as Akka replays it (a snapshot first, if any, then the
/// entries after it): every block must be the next one of the chain, or replay stops with a
/// <see cref="ChainJournalException"/> naming the entry. Used by the <see cref="ChainActor"/> and by readers.</summary>
public sealed class ChainRecovery(Genesis genesis, string persistenceId)
{
    /// <summary>The chain so far and the last hard state.</summary>
    public InMemoryReplicaLedger Ledger { get; } = new();

    /// <summary>Takes one message of Akka's replay (<paramref name="lastSequenceNr"/>: the persistent actor's, for an
    /// entry); true on <see cref="RecoveryCompleted"/>, when <see cref="Ledger"/> holds the whole chain.</summary>
    public bool Recover(object message, long lastSequenceNr)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: ChainSnapshot snapshot } offer:
                Apply(snapshot, offer.Metadata.SequenceNr);
                return false;
            case IChainJournalEntry entry:
                Apply(entry, lastSequenceNr);
                return false;
            default:
                return message is RecoveryCompleted;
        }
    }

    public void Apply(IChainJournalEntry entry, long sequenceNr)
    {
        switch (entry)
        {
            case ChainSnapshot snapshot:
                foreach (var block in snapshot.Blocks)
                {
                    Append(block, sequenceNr);
                }
                if (snapshot.HardState is { } state)
                {
                    Ledger.SaveState(HardStateCodec.StoreKey, state);
                }
                break;
            case ChainBlockAppended appended:
                Append(appended.Block, sequenceNr);
                break;
            case ChainStateSaved saved:
                Ledger.SaveState(HardStateCodec.StoreKey, saved.HardState);
                break;
        }
    }

    private void Append(CertifiedBlock block, long sequenceNr)
    {
        var expected = Ledger.Height + 1;
        var previous = Ledger.Height == 0 ? genesis.Hash : Ledger.ReadRange(Ledger.Height, Ledger.Height)[0].Block.Hash;
        if (block.Block.Height != expected || block.Block.PreviousHash != previous)
        {
            throw new ChainJournalException(
                $"chain {genesis.ChainId}, journal entry {sequenceNr} of '{persistenceId}': block {block.Block.Height} does not follow " +
                $"block {expected - 1} of the journal (expected height {expected} linking to {previous}); the chain does not start on a " +
                "ledger with a gap or a fork. Nothing was deleted: restore the journal from a backup, or remove this chain's rows and " +
                "let the replica rejoin by state transfer.");
        }
        Ledger.Append(block);
    }
}
