using Swarm.Node.Cli;

namespace Swarm.Tests.Consensus;

/// <summary>The benchmark command runs end to end on a tiny load (its numbers are not asserted: timing goals live in
/// the benchmark itself, not in tests).</summary>
public sealed class ConsensusBenchCommandTests
{
    [Fact]
    public void A_short_consensus_bench_runs_to_completion()
    {
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["bench", "consensus", "--requests", "300", "--window", "50", "--batch", "50"]));
    }

    [Fact]
    public void A_consensus_bench_without_requests_is_a_usage_error()
    {
        Assert.Equal(ExitCodes.Usage, SwarmCli.Run(["bench", "consensus", "--requests", "0"]));
    }
}
