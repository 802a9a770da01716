namespace Swarm.Node.Simulation;

/// <summary>Where a round stands: collecting updates, waiting for every included site to reproduce the proposed
/// aggregate, then accepted or rejected.</summary>
public enum RoundPhase
{
    Collecting,
    Verifying,
    Accepted,
    Rejected,
}
