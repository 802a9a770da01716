using Swarm.Consensus.Blocks;

namespace Swarm.Actors.Consensus;

/// <summary>What a <see cref="ChainActor"/> writes to its journal and snapshot store (serialized by
/// <see cref="ChainJournalSerializer"/>, never by Akka's default serializer).</summary>
public interface IChainJournalEntry;

/// <summary>A certified block the replica committed: the ledger itself. Never deleted from the journal.</summary>
public sealed record ChainBlockAppended(CertifiedBlock Block) : IChainJournalEntry;

/// <summary>The replica's hard state (<see cref="Swarm.Consensus.Pbft.HardStateCodec"/> bytes); the last one in the journal counts.</summary>
public sealed record ChainStateSaved(byte[] HardState) : IChainJournalEntry;

/// <summary>The whole chain and hard state as of a stable checkpoint, so that recovery replays only the events
/// after it. The events before it stay in the journal (blocks are the ledger).</summary>
public sealed record ChainSnapshot(IReadOnlyList<CertifiedBlock> Blocks, byte[]? HardState) : IChainJournalEntry;
