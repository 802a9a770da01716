namespace Swarm.Tests.Consensus.Simulation;

/// <summary>Reads SWARM_SIM_SEED, which replays one seed of a failed run.</summary>
public static class SimulationSeeds
{
    public const string Variable = "SWARM_SIM_SEED";

    public static ulong? FromEnvironment() =>
        ulong.TryParse(Environment.GetEnvironmentVariable(Variable), out var seed) ? seed : null;
}
