using Swarm.Node.Cli;

namespace Swarm.Tests;

public sealed class CliTests
{
    [Fact]
    public void Unknown_command_is_a_usage_error()
    {
        Assert.Equal(ExitCodes.Usage, SwarmCli.Run(["no-such-command"]));
    }

    [Fact]
    public void Version_command_succeeds()
    {
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["version"]));
    }
}
