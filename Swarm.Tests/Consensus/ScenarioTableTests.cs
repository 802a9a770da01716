using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Consensus;

/// <summary>The named fault scenarios. Each must keep every honest replica safe at every step and bring all of
/// them to the target height after the heal. A failure prints the seed and every replica's status line;
/// SWARM_SIM_SEED=n replays that seed.</summary>
public sealed class ScenarioTableTests
{
    private const ulong DefaultSeed = 20261122;

    public static TheoryData<string> Names => new(ScenarioCatalog.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario_keeps_safety_and_reaches_the_target_after_the_heal(string name)
    {
        var scenario = ScenarioCatalog.All.Single(s => s.Name == name);
        var seed = SimulationSeeds.FromEnvironment() ?? DefaultSeed;
        using var simulation = ScenarioCatalog.Create(scenario, seed);
        var result = simulation.Run();
        Assert.True(result.Ok, result.Report);
        ScenarioCatalog.CheckExpectations(scenario, simulation, result.Report);
    }

    [Fact]
    public void Scenario_table_has_at_least_twelve_named_scenarios()
    {
        Assert.True(ScenarioCatalog.All.Count >= 12);
        Assert.Equal(ScenarioCatalog.All.Count, ScenarioCatalog.All.Select(s => s.Name).Distinct().Count());
    }

    /// <summary>The effect check is not vacuous: a drop scheduled after the run has ended never drops anything,
    /// and a silent scenario whose replica is in fact honest has no liar; both fail the check.</summary>
    [Fact]
    public void A_fault_that_never_took_effect_fails_the_scenario()
    {
        var late = new Scenario("late drop", 4, 1)
        {
            Faults = [new(10_000_000, "drop 2%", s => s.Network.DropProbability = 0.02)],
            HealAtMs = 0,
        };
        using var simulation = new Swarm.Tests.Consensus.Simulation.Simulation(late, 3);
        var result = simulation.Run();
        Assert.True(result.Ok, result.Report);
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ScenarioCatalog.CheckFaultsTookEffect(late, simulation, result.Report));
        Assert.Contains("had no effect (drop: 0)", failure.Message, StringComparison.Ordinal);

        var unknown = late with { Name = "unknown fault", Faults = [new(0, "cosmic ray", _ => { })] };
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ScenarioCatalog.CheckFaultsTookEffect(unknown, simulation, result.Report));
    }

    [Fact]
    public void Same_seed_replays_the_same_run()
    {
        var scenario = RandomScenario.Draw(4, 42);
        using var first = new Swarm.Tests.Consensus.Simulation.Simulation(scenario, 42);
        using var second = new Swarm.Tests.Consensus.Simulation.Simulation(scenario, 42);
        var a = first.Run();
        var b = second.Run();
        Assert.Equal(a.Report, b.Report);
        Assert.Equal(first.EventsRun, second.EventsRun);
        Assert.Equal(first.Nodes[1].CommittedHashes, second.Nodes[1].CommittedHashes);
    }

    [Fact]
    public void Failed_run_reports_its_seed_and_every_replica_status_line()
    {
        // Two silent replicas of four exceed f = 1: no quorum, so liveness must fail and say so.
        var scenario = new Scenario("beyond f", 4, 1)
        {
            Byzantine = { [1] = ByzantineKind.Silent, [2] = ByzantineKind.Silent },
            HealAtMs = 0,
            LivenessBoundMs = 2_000,
        };
        using var simulation = new Swarm.Tests.Consensus.Simulation.Simulation(scenario, 7);
        var result = simulation.Run();
        Assert.False(result.Ok);
        Assert.Contains("SWARM_SIM_SEED=7", result.Report);
        Assert.Contains("FAILED: liveness", result.Report);
        for (var i = 0; i < 4; i++)
        {
            Assert.Contains($"replica {i}:", result.Report);
        }
    }
}
