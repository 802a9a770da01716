namespace Swarm.Consensus.Pbft;

public enum ReplicaMode
{
    /// <summary>In an installed view, ordering requests.</summary>
    Normal,

    /// <summary>Moving to a new view; only checkpoint, view-change and new-view messages are processed (§4.4).</summary>
    ViewChange,
}
