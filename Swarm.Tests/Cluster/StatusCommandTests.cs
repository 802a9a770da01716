using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Cli;
using Swarm.Node.Configuration;
using Swarm.Node.Service;

namespace Swarm.Tests.Cluster;

public sealed class StatusCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "swarm-status-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Status_prints_the_members_a_running_node_reports_on_its_health_endpoint()
    {
        await using var node = new ClusterNode(AloneSettings(), NullLoggerFactory.Instance, TimeProvider.System);
        await node.StartAsync(CancellationToken.None);
        // A node without a consortium is alone and up once started.
        await WaitUpAsync(node);
        var output = new StringWriter();

        var code = await StatusCommand.PrintAsync(node.HttpAddress!, output, TextWriter.Null, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("node solo  status up", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("1 members, 1 up", output.ToString(), StringComparison.Ordinal);
        var metrics = await new HttpClient().GetStringAsync(new Uri(node.HttpAddress!, "/metrics"));
        Assert.Contains("swarm_members{status=\"up\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE swarm_uptime_seconds gauge", metrics, StringComparison.Ordinal);
        await node.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Status_of_an_address_where_no_node_listens_fails_naming_it()
    {
        var error = new StringWriter();

        var code = await StatusCommand.PrintAsync(new Uri("http://127.0.0.1:27899"), TextWriter.Null, error, CancellationToken.None);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("no node answers at http://127.0.0.1:27899", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_whose_consortium_file_is_missing_does_not_start_and_says_why()
    {
        var settings = AloneSettings() with { Consortium = new ConsortiumSettings { File = Path.Combine(_dir, "missing.conf") } };
        await using var node = new ClusterNode(settings, NullLoggerFactory.Instance, TimeProvider.System);

        var failure = await Assert.ThrowsAsync<NodeStartException>(() => node.StartAsync(CancellationToken.None));

        Assert.Contains("missing.conf", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restarted_node_gets_a_higher_incarnation_from_its_store()
    {
        var settings = AloneSettings();
        long first;
        await using (var node = new ClusterNode(settings, NullLoggerFactory.Instance, TimeProvider.System))
        {
            await node.StartAsync(CancellationToken.None);
            first = (await node.HealthAsync(CancellationToken.None)).Incarnation;
            await node.StopAsync(CancellationToken.None);
        }
        await using var again = new ClusterNode(settings, NullLoggerFactory.Instance, TimeProvider.System);
        await again.StartAsync(CancellationToken.None);

        Assert.True((await again.HealthAsync(CancellationToken.None)).Incarnation > first);
        await again.StopAsync(CancellationToken.None);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private NodeSettings AloneSettings()
    {
        var environment = new Dictionary<string, string> { ["SWARM_NODE__ID"] = "solo" };
        var settings = SwarmConfiguration.Bind(SwarmConfiguration.Build(null, [], environment));
        return settings with
        {
            Node = new NodeIdentitySettings { Id = "solo", DataDir = _dir },
            Store = settings.Store with { SqlitePath = Path.Combine(_dir, "ledger.db") },
            Http = new HttpSettings { Port = 0 },
            Gossip = settings.Gossip with { Interval = TimeSpan.FromMilliseconds(50) },
        };
    }

    private static async Task WaitUpAsync(ClusterNode node)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await node.HealthAsync(CancellationToken.None)).Status != "up")
        {
            Assert.True(DateTime.UtcNow < deadline, "phase 'alone up': node solo did not report up within 10 s");
            await Task.Delay(20);
        }
    }
}
