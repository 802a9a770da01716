namespace Swarm.Node.Simulation;

/// <summary>What the coordinator did with an update offered for a round.</summary>
public enum OfferOutcome
{
    Accepted,
    UnknownSite,
    WrongRound,
    Duplicate,
    HashMismatch,
    /// <summary>The quorum was already reached: the round's update set is fixed.</summary>
    Closed,
}
