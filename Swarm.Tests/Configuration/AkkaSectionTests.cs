using Swarm.Actors.Platform;
using Swarm.Node.Configuration;

namespace Swarm.Tests.Configuration;

/// <summary>The <c>akka { }</c> section of the node's own files reaches the node's Akka.NET actor system.</summary>
public sealed class AkkaSectionTests
{
    [Fact]
    public async Task The_akka_section_of_the_node_file_configures_the_actor_system()
    {
        using var dir = new TempDirectory();
        var text = NodeConfig.Minimal + """
            akka {
              loglevel = ERROR
              actor.ask-timeout = 7s
              cluster.seed-nodes = ["a", "b"]
            }
            """;
        var settings = SwarmConfiguration.Bind(NodeConfig.Build(dir, text, switches: ["--akka.scheduler.tick-duration=20ms"]));

        var system = SwarmActorSystem.Create("hospital-a", overrides: Akka.Configuration.ConfigurationFactory.ParseString(settings.Akka.ToHocon()));
        try
        {
            var config = system.Settings.Config;
            Assert.Equal("ERROR", config.GetString("akka.loglevel"));
            Assert.Equal(TimeSpan.FromSeconds(7), config.GetTimeSpan("akka.actor.ask-timeout"));
            Assert.Equal(["a", "b"], config.GetStringList("akka.cluster.seed-nodes"));
            Assert.Equal(TimeSpan.FromMilliseconds(20), config.GetTimeSpan("akka.scheduler.tick-duration"));
            // What the file does not set keeps the node's defaults.
            Assert.Equal("off", config.GetString("akka.coordinated-shutdown.run-by-clr-shutdown-hook"));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void Without_an_akka_section_nothing_is_handed_over_and_other_unknown_sections_stay_errors()
    {
        using var dir = new TempDirectory();
        Assert.Empty(SwarmConfiguration.Bind(NodeConfig.Build(dir, NodeConfig.Minimal)).Akka.Values);
        var problem = Assert.Single(NodeConfig.BindFails(dir, NodeConfig.Minimal + "akk.loglevel = DEBUG").Errors);
        Assert.Equal("akk", problem.Key);
    }
}
