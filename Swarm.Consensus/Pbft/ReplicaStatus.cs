namespace Swarm.Consensus.Pbft;

/// <summary>One replica's status line, printed by the simulator on a failure.</summary>
public sealed record ReplicaStatus(int Id, long View, long LastCommitted, long StableCheckpoint, ReplicaMode Mode, int Pending)
{
    public override string ToString() =>
        $"replica {Id}: view {View}, committed {LastCommitted}, stable {StableCheckpoint}, mode {Mode}, pending {Pending}";
}
