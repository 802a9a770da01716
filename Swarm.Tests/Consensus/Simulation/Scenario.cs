namespace Swarm.Tests.Consensus.Simulation;

/// <summary>A named fault schedule. Faults act until <see cref="HealAtMs"/>; then the network is repaired and
/// crashed honest replicas restart from their stores, and every honest replica must reach
/// <see cref="TargetHeight"/> more blocks than the highest honest replica had at the heal, within
/// <see cref="LivenessBoundMs"/>.</summary>
public sealed record Scenario(string Name, int N, int F)
{
    public Dictionary<int, ByzantineKind> Byzantine { get; init; } = [];
    public List<ScheduledFault> Faults { get; init; } = [];
    public long HealAtMs { get; init; } = 1_000;
    public long TargetHeight { get; init; } = 12;
    public long LivenessBoundMs { get; init; } = 20_000;
    public bool RealSignatures { get; init; }
    public bool SqliteStore { get; init; }
    public long WorkloadIntervalMs { get; init; } = 10;
    public long TickMs { get; init; } = 10;

    public override string ToString() => Name;
}

/// <summary>One step of a fault schedule, in the fault language of <see cref="SimNetwork"/> and the simulation.</summary>
public sealed record ScheduledFault(long AtMs, string Description, Action<Simulation> Apply);
