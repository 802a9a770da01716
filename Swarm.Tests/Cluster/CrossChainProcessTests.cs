using System.Globalization;
using System.Net.Http.Json;
using Swarm.Node.Cli;
using Swarm.Node.Security;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using Xunit.Abstractions;

namespace Swarm.Tests.Cluster;

/// <summary>The cross-chain import on four real <c>swarm node</c> processes on loopback (peer ports 29200-29203, HTTP
/// 29240-29243, this test's own range): task pa on nodes a, b and c finalizes a model; the operators of a and b (a
/// quorum of pa's three sites) grant its feature layers with <c>swarm task export-grant</c>; task pb on b, c and d
/// (partly overlapping: d is not in pa) imports it, and every pb site starts round 1 from the same model and pb
/// completes with one model hash.</summary>
public sealed class CrossChainProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int PeerPortBase = 29200;
    private const int HttpPortBase = 29240;
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "swarm-xchain-" + Guid.NewGuid().ToString("N"));
    private readonly List<SwarmNodeProcess> _nodes = [];
    private readonly string[] _names = ["node-a", "node-b", "node-c", "node-d"];

    [Fact]
    public async Task Four_node_processes_run_a_task_that_imports_the_layers_of_a_task_on_partly_overlapping_nodes()
    {
        Directory.CreateDirectory(_root);
        var consortium = Path.Combine(_root, "consortium.conf");
        SwarmCliProcess.Run("consortium", "init", "--name", "xchain-test", "--file", consortium);
        for (var i = 0; i < _names.Length; i++)
        {
            ClusterFiles.AddMember(consortium, Path.Combine(_root, _names[i]), _names[i], $"127.0.0.1:{PeerPortBase + i}");
        }
        for (var i = 0; i < _names.Length; i++)
        {
            var config = Path.Combine(_root, _names[i] + ".conf");
            File.WriteAllText(config, NodeConf(i, consortium));
            _nodes.Add(SwarmNodeProcess.Start(_names[i], config, HttpPortBase + i));
        }
        foreach (var node in _nodes)
        {
            await UntilAsync(async () => (await node.HealthAsync())?.Members.Count(m => m.Status == "up") == _names.Length, $"{node.Name}: four members up");
        }
        string[] a = ["node-a", "node-b", "node-c"], b = ["node-b", "node-c", "node-d"];

        Assert.True(await SubmitAsync(0, Spec("pa", a, "")), "pa did not start");
        for (var i = 0; i < 3; i++)
        {
            await UntilAsync(async () => (await TaskAsync(i, "pa"))?.Progress.State is TaskState.Completed, $"{_names[i]}: pa completed");
        }
        var transfer = "";
        for (var i = 0; i < 2; i++)
        {
            using var printed = new StringWriter();
            Assert.Equal(0, await TaskCommand.ExportGrantAsync(Api(i), "pa", new ExportGrantBody("g1", Layers: ["conv", "fc1"]), printed, TextWriter.Null,
                CancellationToken.None));
            transfer = printed.ToString().Split('\n').Single(l => l.StartsWith("transfer {", StringComparison.Ordinal));
        }

        Assert.True(await SubmitAsync(1, Spec("pb", b, transfer)), "pb did not start");
        var ends = new List<TaskInfo>();
        for (var i = 1; i < 4; i++)
        {
            TaskInfo? info = null;
            await UntilAsync(async () => (info = await TaskAsync(i, "pb"))?.Progress.State is TaskState.Completed or TaskState.Cancelled or TaskState.Failed,
                $"{_names[i]}: pb ended");
            Assert.True(info!.Progress.State == TaskState.Completed, $"{_names[i]}: pb {info.Progress.State}: {info.Progress.Detail}");
            ends.Add(info);
        }
        Assert.Single(ends.Select(e => e.Progress.ModelHash).Distinct());
        var starts = Enumerable.Range(1, 3).Select(i => Directory.GetFiles(Path.Combine(_root, _names[i], "data", "tasks", "pb", "model"))
            .Select(Path.GetFileName).ToHashSet()).ToList();
        // Each pb site holds the imported model, the start built from it and the final model: the same three everywhere.
        Assert.All(starts, s => Assert.Equal(starts[0], s));
        Assert.Equal(3, starts[0].Count);
        // The importer checked the proof offline before submitting it, and says how long that took (docs/cross-chain.md).
        var verified = Enumerable.Range(1, 3).SelectMany(i => _nodes[i].ProofVerifications).ToList();
        Assert.True(verified.Count > 0, "no importing site reported verifying a proof\n" + string.Join("\n", _nodes.Select(n => n.Output(15))));
        foreach (var line in verified)
        {
            output.WriteLine(line);
        }
    }

    private NodeApi Api(int index) =>
        new(new Uri($"http://127.0.0.1:{HttpPortBase + index}"), AdminToken.ReadValue(Path.Combine(_root, _names[index], "data", AdminToken.FileName)));

    private async Task<bool> SubmitAsync(int index, string spec)
    {
        using var http = Api(index).CreateClient(TimeSpan.FromMinutes(2));
        using var response = await http.PostAsync(new Uri($"http://127.0.0.1:{HttpPortBase + index}/tasks"), TaskEndpoints.SubmitContent(spec));
        return (await response.Content.ReadFromJsonAsync<SubmitTaskResult>(TaskJson.Options))!.Started;
    }

    private async Task<TaskInfo?> TaskAsync(int index, string id)
    {
        using var http = Api(index).CreateClient(TimeSpan.FromSeconds(30));
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPortBase + index}/tasks/{id}"));
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TaskInfo>(TaskJson.Options) : null;
    }

    private string NodeConf(int index, string consortium)
    {
        var dir = Path.Combine(_root, _names[index]);
        return string.Create(CultureInfo.InvariantCulture, $$"""
            node { id = "{{_names[index]}}", data-dir = "{{dir}}/data", signing-key-path = "{{dir}}/signing.key" }
            network { listen-host = "127.0.0.1", listen-port = {{PeerPortBase + index}}, reconnect-backoff-min = 50ms, reconnect-backoff-max = 500ms }
            tls { cert-path = "{{dir}}/node.crt", key-path = "{{dir}}/node.key" }
            consortium { file = "{{consortium}}" }
            gossip { interval = 200ms }
            http { port = {{HttpPortBase + index}} }
            training { threads = 1 }
            policy.allowed-datasets = [pneumoniamnist]
            data.sets.pneumoniamnist { partition = iid, alpha = 1, sites = 4, site-index = {{index}}, seed = 1, train-limit = 200 }
            """);
    }

    private static string Spec(string id, string[] sites, string transfer) => string.Create(CultureInfo.InvariantCulture, $$"""
        task {
          id = "{{id}}", model = smallcnn, participants = [{{string.Join(", ", sites)}}]
          datasets { {{string.Join(", ", sites.Select(n => n + " = pneumoniamnist"))}} }
          rounds = 1, local-epochs = 1, quorum = 3, round-deadline = 2m, seed = 1
          optimizer { name = adam, learning-rate = 0.001, batch-size = 32 }
          personalization { mode = none }
          {{transfer}}
        }
        """);

    private async Task UntilAsync(Func<Task<bool>> condition, string phase)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"phase '{phase}' did not happen within {Wait}\n{string.Join("\n", _nodes.Select(n => n.Output(15)))}");
            await Task.Delay(250);
        }
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
