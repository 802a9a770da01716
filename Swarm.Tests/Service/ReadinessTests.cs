using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Service;
using Swarm.Tests.Tasks;

namespace Swarm.Tests.Service;

/// <summary>Issue 17: <c>/health/live</c> and <c>/health/ready</c> (ready = store open, consortium loaded and
/// transport listening when configured, actors answering), open on loopback like <c>/health</c>.</summary>
public sealed class ReadinessTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string _dir => _temp.Path;


    [Fact]
    public async Task A_running_node_is_live_and_ready_without_a_token_and_names_each_check()
    {
        await using var node = new ClusterNode(SoloNode.Settings(_dir), NullLoggerFactory.Instance, TimeProvider.System);
        await node.StartAsync(CancellationToken.None);
        using var http = new HttpClient();

        using var live = await http.GetAsync(new Uri(node.HttpAddress!, "/health/live"));
        using var ready = await http.GetAsync(new Uri(node.HttpAddress!, "/health/ready"));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var report = (await ready.Content.ReadFromJsonAsync<ReadinessReport>())!;
        Assert.True(report.Ready);
        Assert.Equal(["store", "consortium", "transport", "actors"], report.Checks.Select(c => c.Name));
        Assert.StartsWith("open", report.Checks[0].Detail, StringComparison.Ordinal);
        Assert.Contains("runs alone", report.Checks[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_with_a_consortium_is_not_ready_until_the_file_is_loaded_and_the_transport_listens()
    {
        var waiting = Readiness.Peers(consortiumConfigured: true, consortiumMembers: null, listening: null);
        var report = ReadinessReport.Of("node-a", [.. waiting, Readiness.Actors(true, TimeSpan.FromSeconds(5))]);

        Assert.False(report.Ready);
        Assert.Equal(["consortium", "transport"], report.Checks.Where(c => !c.Ok).Select(c => c.Name));
        Assert.True(ReadinessReport.Of("node-a", Readiness.Peers(true, 4, "127.0.0.1:7400")).Ready);
    }

    [Fact]
    public void A_store_that_does_not_answer_or_silent_actors_make_the_node_not_ready_with_the_reason()
    {
        var store = Readiness.Store(() => throw new IOException("disk I/O error"));
        var actors = Readiness.Actors(false, TimeSpan.FromSeconds(5));

        Assert.False(store.Ok);
        Assert.Contains("disk I/O error", store.Detail, StringComparison.Ordinal);
        Assert.False(actors.Ok);
        Assert.Contains("within 5 s", actors.Detail, StringComparison.Ordinal);
        Assert.False(ReadinessReport.Of("node-a", [store, actors]).Ready);
    }

    public void Dispose() => _temp.Dispose();
}
