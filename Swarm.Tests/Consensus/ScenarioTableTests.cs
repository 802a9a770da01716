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
}
