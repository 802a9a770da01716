namespace Swarm.Tests.Consensus;

/// <summary>The randomized sweep for n = 4 (f = 1): zero safety violations and liveness after every heal.</summary>
public sealed class SweepN4Tests
{
    [Fact]
    public void Five_hundred_random_fault_schedules_with_four_replicas_stay_safe_and_live() => SweepRunner.Run(4, 500);
}
