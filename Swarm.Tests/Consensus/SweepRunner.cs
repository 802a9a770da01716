using System.Text;
using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Consensus;

/// <summary>Runs the randomized sweep for one cluster size and reports every failing seed with its report.</summary>
internal static class SweepRunner
{
    public static void Run(int n, int seeds)
    {
        var only = SimulationSeeds.FromEnvironment();
        // SWARM_SIM_SWEEP_SEEDS raises the count for a longer soak run outside CI.
        if (int.TryParse(Environment.GetEnvironmentVariable("SWARM_SIM_SWEEP_SEEDS"), out var more) && more > seeds)
        {
            seeds = more;
        }
        var failures = new StringBuilder();
        var failed = 0;
        var list = only is { } seed ? [seed] : Enumerable.Range(1, seeds).Select(i => (ulong)i);
        foreach (var s in list)
        {
            var result = new Swarm.Tests.Consensus.Simulation.Simulation(RandomScenario.Draw(n, s), s).Run();
            if (!result.Ok)
            {
                failed++;
                if (failed <= 3)
                {
                    failures.AppendLine(result.Report);
                }
            }
        }
        Assert.True(failed == 0, $"{failed} of {seeds} seeds failed for n={n}; first failures:\n{failures}");
    }
}
