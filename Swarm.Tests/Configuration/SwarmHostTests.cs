using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Swarm.Node.Configuration;
using Swarm.Node.Hosting;

namespace Swarm.Tests.Configuration;

public sealed class SwarmHostTests
{
    [Fact]
    public async Task The_host_binds_node_settings_and_the_log_level()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("node.conf", "node.id = a\nlogging.level = warning");
        using var host = SwarmHost.CreateBuilder(file, ["--network.listen-port=7409"], new Dictionary<string, string>()).Build();
        await host.StartAsync(CancellationToken.None);
        var settings = host.Services.GetRequiredService<IOptions<NodeSettings>>().Value;
        Assert.Equal(7409, settings.Network.ListenPort);
        Assert.Equal(LogLevel.Warning, settings.Logging.Level);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test");
        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
        await host.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_host_refuses_to_start_with_invalid_settings()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("node.conf", "node.id = a\nnetwork.listen-port = 70000");
        using var host = SwarmHost.CreateBuilder(file, [], new Dictionary<string, string>()).Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));
        Assert.Contains("node.conf:2: key 'network.listen-port': 70000 is out of range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_refuses_to_start_with_an_unknown_key()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("node.conf", "node.id = a\nnetwork.listen-prot = 7401");
        using var host = SwarmHost.CreateBuilder(file, [], new Dictionary<string, string>()).Build();
        var error = await Assert.ThrowsAsync<SettingsException>(() => host.StartAsync(CancellationToken.None));
        Assert.Equal("network.listen-prot", Assert.Single(error.Errors).Key);
    }

    [Fact]
    public async Task The_node_runs_in_the_actor_system_Akka_Hosting_starts_and_the_system_stops_after_the_node()
    {
        using var dir = new TempDirectory();
        var data = Path.Combine(dir.Path, "data").Replace("\\", "/", StringComparison.Ordinal);
        var file = dir.Write("node.conf", $"node.id = hosted-a\nnode.data-dir = \"{data}\"\nhttp.port = 0\nlogging.level = warning");
        using var host = SwarmHost.CreateBuilder(file, [], new Dictionary<string, string>()).AddSwarmNode().Build();
        await host.StartAsync(CancellationToken.None);
        var system = host.Services.GetRequiredService<ActorSystem>();
        Assert.Equal("hosted-a", system.Name);
        // The node's actors live in the host's system, not in one of their own.
        var tasks = await system.ActorSelection("/user/tasks").ResolveOne(TimeSpan.FromSeconds(10));
        var watcher = system.ActorOf(Props.Create(() => new DeathWatcher(tasks)));

        await host.StopAsync(CancellationToken.None);
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(DeathWatcher.StoppedBeforeTheSystem, "the node's actors stop before the host terminates the system");
    }

    /// <summary>Records whether the watched actor stopped while the system itself was still running.</summary>
    private sealed class DeathWatcher : UntypedActor
    {
        public DeathWatcher(IActorRef watched) => Context.Watch(watched);

        public static bool StoppedBeforeTheSystem { get; private set; }

        protected override void OnReceive(object message)
        {
            if (message is Terminated)
            {
                StoppedBeforeTheSystem = true;
            }
        }
    }
}
