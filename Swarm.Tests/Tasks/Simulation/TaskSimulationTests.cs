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
    public void Two_hundred_fault_schedules_with_declared_sample_counts_weigh_every_update_as_declared() => Sweep(4, declared: true, seeds: 200);

    [Fact]
    public void A_site_that_inflates_its_sample_count_is_refused_by_every_replica_and_the_honest_sites_finish()
    {
        var scenario = new TaskSimScenario(4, 1, 3, 3, 0.1, 50, new Dictionary<int, TaskLie> { [2] = TaskLie.InflatedSamples }, []) { DeclaredSamples = true };
        var result = new TaskSimulation(scenario, 4).Run();
        AssertOk(result);
        Assert.Null(result.StalledOn);
        Assert.Equal(3, result.RoundsAdopted);
    }

    [Fact]
    public void A_record_with_a_re_signed_count_never_weighs_a_round_it_ends_the_task_or_is_ignored()
    {
        var ended = 0;
        for (ulong seed = 1; seed <= 20; seed++)
        {
            // Site 0 re-signs ten times its count, races a record with it and publishes its updates at that count.
            var liar = new Dictionary<int, TaskLie> { [0] = TaskLie.RedeclaredSamples | TaskLie.InflatedSamples };
            var scenario = new TaskSimScenario(4, 1, 3, 3, 0.0, 50, liar, []) { DeclaredSamples = true };
            var result = new TaskSimulation(scenario, seed).Run();
            AssertOk(result);
            ended += result.StalledOn is null ? 0 : 1;
        }
        output.WriteLine($"{ended} of 20 runs ended by the honest sites on a re-signed count; the others finished with the declared counts");
    }

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
    public void A_withheld_update_is_dropped_from_its_round_and_the_task_ends_without_it()
    {
        var scenario = new TaskSimScenario(4, 1, 4, 3, 0.0, 50, new Dictionary<int, TaskLie> { [3] = TaskLie.WithheldUpdate }, []);
        var result = new TaskSimulation(scenario, 3).Run();
        AssertOk(result);
        Assert.Null(result.StalledOn);
        Assert.Equal(3, result.RoundsAdopted);
        Assert.All(result.Finalized, round => Assert.DoesNotContain(round.Included, u => u.Site == "site-3"));
    }

    [Fact]
    public void A_site_that_crashes_for_good_right_after_publishing_is_dropped_and_the_others_end_the_task()
    {
        // Quorum 4 of 4: round 1 waits for site-3's update. It goes down for good between storing and offering it,
        // while its publication is on its way to the chain.
        var scenario = new TaskSimScenario(4, 1, 4, 3, 0.0, 50, new Dictionary<int, TaskLie>(), [])
        {
            SecAggDrops = new Dictionary<int, SecAggDrop> { [3] = SecAggDrop.BeforeOffering },
        };
        var result = new TaskSimulation(scenario, 5).Run();
        AssertOk(result);
        Assert.Null(result.StalledOn);
        Assert.Equal(3, result.RoundsAdopted);
        Assert.DoesNotContain(result.Finalized[0].Included, u => u.Site == "site-3");
    }

    private void Sweep(int n, bool declared = false, int seeds = Seeds)
    {
        var watch = Stopwatch.StartNew();
        var chosen = SimulationSeeds.FromEnvironment() is { } only ? [only] : Enumerable.Range(1, seeds).Select(i => (ulong)i);
        var failures = new StringBuilder();
        var failed = 0;
        var runs = 0;
        var stalled = 0;
        foreach (var seed in chosen)
        {
            runs++;
            var result = new TaskSimulation(declared ? TaskSimScenario.DrawDeclared(n, seed) : TaskSimScenario.Draw(n, seed), seed).Run();
            stalled += result.StalledOn is null ? 0 : 1;
            if (!result.Ok && ++failed <= 3)
            {
                failures.AppendLine(result.Report);
            }
        }
        output.WriteLine($"{runs} seeds at n={n} in {watch.Elapsed.TotalSeconds:F1} s; {stalled} ended safely short of the last round " +
            (declared ? "(ended by the sites on a re-signed count)" : "(a plain round may not stall)"));
        Assert.True(failed == 0, $"{failed} of {runs} seeds failed for n={n}; first failures:\n{failures}");
    }

    private static void AssertOk(TaskSimResult result) => Assert.True(result.Ok, result.Report);
}
