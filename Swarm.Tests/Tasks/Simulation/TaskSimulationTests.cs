using System.Diagnostics;
using System.Text;
using Swarm.Tests.Consensus.Simulation;
using Xunit.Abstractions;

namespace Swarm.Tests.Tasks.Simulation;

/// <summary>The task rounds' seeded sweep: 500 drawn fault schedules each at n = 4 and n = 7 (message loss, reorder,
/// crash-restarts and lying sites, at most f faulty). <c>SWARM_SIM_SEED</c> replays one seed.</summary>
public sealed class TaskSimulationTests(ITestOutputHelper output)
{
    private const int Seeds = 500;

    [Fact]
    public void Five_hundred_fault_schedules_with_four_sites_stay_safe_and_finish_every_round() => Sweep(4);

    [Fact]
    public void Five_hundred_fault_schedules_with_seven_sites_stay_safe_and_finish_every_round() => Sweep(7);

    [Fact]
    public void A_site_that_votes_a_forged_aggregate_is_outvoted_and_the_honest_sites_finish()
    {
        var scenario = new TaskSimScenario(4, 1, 4, 3, 0.1, 50, new Dictionary<int, TaskLie> { [2] = TaskLie.AggregateHash }, []);
        AssertOk(new TaskSimulation(scenario, 1).Run());
    }

    [Fact]
    public void A_site_that_crashes_and_restarts_mid_task_rejoins_and_ends_on_the_same_model()
    {
        var scenario = new TaskSimScenario(4, 1, 4, 3, 0.0, 50, new Dictionary<int, TaskLie>(), [new TaskCrash(1, 300, 4_000)]);
        AssertOk(new TaskSimulation(scenario, 2).Run());
    }

    [Fact]
    public void A_withheld_update_stalls_its_round_but_no_honest_site_adopts_anything_else()
    {
        var scenario = new TaskSimScenario(4, 1, 4, 3, 0.0, 50, new Dictionary<int, TaskLie> { [3] = TaskLie.WithheldUpdate }, []);
        var result = new TaskSimulation(scenario, 3).Run();
        AssertOk(result);
        Assert.Equal(0, result.RoundsAdopted);
        Assert.NotNull(result.StalledOn);
    }

    private void Sweep(int n)
    {
        var watch = Stopwatch.StartNew();
        var seeds = SimulationSeeds.FromEnvironment() is { } only ? [only] : Enumerable.Range(1, Seeds).Select(i => (ulong)i);
        var failures = new StringBuilder();
        var failed = 0;
        var runs = 0;
        var stalled = 0;
        foreach (var seed in seeds)
        {
            runs++;
            var result = new TaskSimulation(TaskSimScenario.Draw(n, seed), seed).Run();
            stalled += result.StalledOn is null ? 0 : 1;
            if (!result.Ok && ++failed <= 3)
            {
                failures.AppendLine(result.Report);
            }
        }
        output.WriteLine($"{runs} seeds at n={n} in {watch.Elapsed.TotalSeconds:F1} s; {stalled} stalled safely on an update no live site holds");
        Assert.True(failed == 0, $"{failed} of {runs} seeds failed for n={n}; first failures:\n{failures}");
    }

    private static void AssertOk(TaskSimResult result) => Assert.True(result.Ok, result.Report);
}
