namespace Swarm.Consensus.Pbft;

/// <summary>What a replica must remember across a crash besides its ledger: its view, the highest sequence it
/// voted for in that view (so that a restarted replica never votes twice, differently, for one slot), and its
/// stable checkpoint with the proof it needs for a later view change.</summary>
public sealed record HardState(
    long View,
    long VotedThrough,
    long StableSequence,
    Encoding.Digest StableHash,
    long StableTimestampMs,
    IReadOnlyList<SignedMessage> StableProof);
