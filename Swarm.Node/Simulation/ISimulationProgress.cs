using Swarm.Node.Simulation.Reporting;

namespace Swarm.Node.Simulation;

/// <summary>What a running simulation tells its user. Calls may come from actor threads.</summary>
public interface ISimulationProgress
{
    void SiteTrained(string site, int round, double loss, TimeSpan elapsed);

    void RoundCommitted(RoundMetrics metrics);

    /// <summary>A phase (a baseline, personalization) starts; <paramref name="steps"/> units follow.</summary>
    void PhaseStarted(string phase, int steps);

    void PhaseStep(string phase);
}
