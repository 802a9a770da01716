using System.Text;
using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Consensus;

/// <summary>Runs the randomized sweep for one cluster size and reports every failing seed with its report. It also
/// checks that the drawn faults took effect somewhere in the sweep (each lying kind lied, replicas restarted,
/// some crashed between the outputs of one step), so that a green sweep is not a vacuous one.</summary>
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
        var drawn = new Dictionary<ByzantineKind, int>();
        var lied = new Dictionary<ByzantineKind, int>();
        long restarts = 0, crashesMidStep = 0;
        var list = only is { } seed ? [seed] : Enumerable.Range(1, seeds).Select(i => (ulong)i);
        foreach (var s in list)
        {
            using var simulation = new Swarm.Tests.Consensus.Simulation.Simulation(RandomScenario.Draw(n, s), s);
            var result = simulation.Run();
            if (!result.Ok)
            {
                failed++;
                if (failed <= 3)
                {
                    failures.AppendLine(result.Report);
                }
            }
            foreach (var node in simulation.Nodes.Where(node => !node.Honest))
            {
                drawn[node.Kind] = drawn.GetValueOrDefault(node.Kind) + 1;
                lied[node.Kind] = lied.GetValueOrDefault(node.Kind) + (node.Lies > 0 ? 1 : 0);
            }
            restarts += simulation.Restarts;
            crashesMidStep += simulation.CrashesMidStep;
        }
        Assert.True(failed == 0, $"{failed} of {seeds} seeds failed for n={n}; first failures:\n{failures}");
        if (only is null)
        {
            var liars = new[] { ByzantineKind.OmitPrepared, ByzantineKind.InventPrepared, ByzantineKind.WrongNewView, ByzantineKind.ForgeCheckpoint, ByzantineKind.ForgeRequest };
            var summary = string.Join(", ", liars.Select(k => $"{k} lied in {lied.GetValueOrDefault(k)} of {drawn.GetValueOrDefault(k)} runs"));
            Assert.All(liars, k => Assert.True(lied.GetValueOrDefault(k) > 0, $"n={n}: {summary}"));
            Assert.True(restarts > 0 && crashesMidStep > 0, $"n={n}: {restarts} restarts, {crashesMidStep} crashes mid-step");
        }
    }
}
