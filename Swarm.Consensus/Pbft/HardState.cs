namespace Swarm.Consensus.Pbft;

/// <summary>What a replica must remember across a crash besides its ledger (Castro and Liskov: the safety argument
/// of §4.5.1 counts on every correct replica in a view-change quorum reporting each request it prepared, so a
/// crash must not erase what it prepared). It is stored in one durable write before
/// the replica sends anything that depends on it:
/// <list type="bullet">
/// <item>its view and the highest sequence it voted for in that view, so that it never votes twice, differently,
/// for one slot;</item>
/// <item>its stable checkpoint with the proof it needs for a later view change;</item>
/// <item>its mode: a replica that sent a view change comes back waiting for that view, not ordering in the old one;</item>
/// <item>its prepared certificates above the stable checkpoint (the set P of §4.4), stored before its commit for
/// them leaves: a view change after the restart still carries every block that may have committed. Its own
/// view change is rebuilt from these and the checkpoint, exactly as it was first built;</item>
/// <item>the new-view message it installed, so that it recomputes the same re-proposals (the set O);</item>
/// <item>that it stopped on this chain after finding two certificates for one height, and why: a restart must not
/// make a replica that saw a fork trust the chain again.</item>
/// </list></summary>
public sealed record HardState(
    long View,
    long VotedThrough,
    long StableSequence,
    Encoding.Digest StableHash,
    long StableTimestampMs,
    IReadOnlyList<SignedMessage> StableProof,
    ReplicaMode Mode = ReplicaMode.Normal,
    IReadOnlyList<PreparedProof>? Prepared = null,
    SignedMessage? NewView = null,
    string? HaltedBecause = null)
{
    public IReadOnlyList<PreparedProof> PreparedCertificates => Prepared ?? [];
}
