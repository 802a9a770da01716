namespace Swarm.Actors.Consensus;

/// <summary>A chain's journal holds something that cannot be the chain's ledger (an entry that does not decode, a
/// block that does not follow the one before it). The chain actor does not start on it: nothing is deleted, and an
/// operator can look at the rows it names.</summary>
public sealed class ChainJournalException(string message) : Exception(message);
