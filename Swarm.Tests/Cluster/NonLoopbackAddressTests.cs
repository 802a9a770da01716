using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Swarm.Node.Service;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using Swarm.Tests.Tasks;

namespace Swarm.Tests.Cluster;

/// <summary>Two nodes whose peer transports listen on two different addresses, 127.0.0.2 and 127.0.0.3 (Linux routes
/// all of 127.0.0.0/8 to the loopback interface, so these stand for two hosts' addresses on any machine), with the
/// consortium file naming those addresses, as on two hosts (docs/operations.md, "Four hospitals on four hosts"):
/// they become members of one cluster and run a task with the real engine (peer ports 28500-28501, this test's own
/// range). Each node's HTTP API stays on 127.0.0.1 and its Host allow-list still refuses any other name.</summary>
public sealed class NonLoopbackAddressTests
{
    private const int PeerPortBase = 28500;
    private static readonly string[] Hosts = ["127.0.0.2", "127.0.0.3"];
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Two_nodes_on_different_addresses_form_a_cluster_and_run_a_task()
    {
        await using var nodes = await InProcessNodes.StartAsync(Hosts, PeerPortBase);

        for (var i = 0; i < Hosts.Length; i++)
        {
            AssertListensOnlyOn(Hosts[i], PeerPortBase + i);
        }
        foreach (var node in nodes.Nodes)
        {
            await UntilAsync(async () => (await node.HealthAsync(CancellationToken.None)).Members.Count(m => m.Status == "up") == Hosts.Length,
                $"{node.HttpAddress}: both members up");
        }
        var submitted = await nodes.SubmitAsync(0, nodes.Spec("two-hosts", rounds: 2), CancellationToken.None);
        Assert.True(submitted.Started, submitted.Error ?? string.Join("; ", submitted.Answers.Select(a => $"{a.Node}: {a.Reason}")));
        var ends = new List<TaskInfo>();
        for (var i = 0; i < Hosts.Length; i++)
        {
            TaskInfo? info = null;
            await UntilAsync(async () => (info = await nodes.TaskAsync(i, "two-hosts"))?.Progress.State is TaskState.Completed, $"{nodes.Names[i]}: task completed");
            ends.Add(info!);
        }
        Assert.Equal(ends[0].Progress.ModelHash, ends[1].Progress.ModelHash);
        Assert.All(ends, e => Assert.True(e.Progress.Transfers!.Sum(t => t.Bytes) > 0, "no blob crossed between the addresses"));

        // The HTTP API is the operator's, on 127.0.0.1 only; a request naming a peer address as its Host is refused.
        var http = nodes[0].HttpAddress!;
        Assert.Equal("127.0.0.1", http.Host);
        using var client = NodeApis.Client(nodes[0]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(http, "/tasks"))).StatusCode);
        foreach (var host in new[] { Hosts[0], $"{Hosts[0]}:{http.Port}", "node-a.example.org" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(http, "/tasks"));
            request.Headers.Host = host;
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"Host {host}: {response.StatusCode}");
        }
        Assert.Equal("node-a", (await client.GetFromJsonAsync<HealthReport>(new Uri(http, "/health")))!.Node);
    }

    /// <summary>The peer port answers on its own address and not on 127.0.0.1: the node bound the address it was given.</summary>
    private static void AssertListensOnlyOn(string host, int port)
    {
        using (var own = new TcpClient())
        {
            own.Connect(IPAddress.Parse(host), port);
        }
        using var other = new TcpClient();
        Assert.Throws<SocketException>(() => other.Connect(IPAddress.Loopback, port));
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string phase)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"phase '{phase}' did not happen within {Wait}");
            await Task.Delay(200);
        }
    }
}
