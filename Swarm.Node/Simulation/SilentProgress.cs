using Swarm.Node.Simulation.Reporting;

namespace Swarm.Node.Simulation;

/// <summary>Progress that shows nothing (tests, <c>--quiet</c>).</summary>
public sealed class SilentProgress : ISimulationProgress
{
    public void SiteTrained(string site, int round, double loss, TimeSpan elapsed)
    {
    }

    public void RoundCommitted(RoundMetrics metrics)
    {
    }

    public void PhaseStarted(string phase, int steps)
    {
    }

    public void PhaseStep(string phase)
    {
    }
}
