using Swarm.Node.Cli;

namespace Swarm.Tests.Persistence;

public sealed class LedgerBenchCommandTests
{
    [Fact]
    public void A_short_ledger_bench_runs_to_completion()
    {
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["bench", "ledger", "--blocks", "3", "--block-bytes", "100"]));
    }

    [Fact]
    public void A_ledger_bench_without_blocks_is_a_usage_error()
    {
        Assert.Equal(ExitCodes.Usage, SwarmCli.Run(["bench", "ledger", "--blocks", "0"]));
    }
}
