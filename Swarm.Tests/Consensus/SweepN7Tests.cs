namespace Swarm.Tests.Consensus;

/// <summary>The randomized sweep for n = 7 (f = 2): zero safety violations and liveness after every heal.</summary>
public sealed class SweepN7Tests
{
    [Fact]
    public void Five_hundred_random_fault_schedules_with_seven_replicas_stay_safe_and_live() => SweepRunner.Run(7, 500);
}
