using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Configuration;
using Swarm.Node.Service;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using Swarm.Tests.Cluster;
using Swarm.Tests.Data;
using Swarm.Tests.Metrics;

namespace Swarm.Tests.Tasks;

/// <summary>Two hospitals in this process (peer ports 26940-26941, this test's own range), each pointing its node at
/// its own folder of PNG images with a labels CSV (<c>data.images.xray</c> in its node.conf), train a local-DP task
/// with the real task engine over the mutual-TLS transport; then each node's <c>/metrics</c>, read without a token
/// on loopback, is parsed by a strict Prometheus text parser and holds the task's rounds, chain, transfers and ε.</summary>
public sealed class OwnDataTaskTests : IAsyncLifetime
{
    private const int PeerPortBase = 26940;
    private const int ImagesPerClass = 10;
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    private static readonly string[] Names = ["node-a", "node-b"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "swarm-own-data-" + Guid.NewGuid().ToString("N"));
    private readonly List<ImageFolderFixture> _images = [];
    private readonly List<ClusterNode> _nodes = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var consortium = Path.Combine(_root, "consortium.conf");
        SwarmCliProcess.Run("consortium", "init", "--name", "own-data-test", "--file", consortium);
        for (var i = 0; i < Names.Length; i++)
        {
            ClusterFiles.AddMember(consortium, Path.Combine(_root, Names[i]), Names[i], $"127.0.0.1:{PeerPortBase + i}");
            var images = new ImageFolderFixture();
            images.WriteClasses(ImagesPerClass, side: 32, rgb: i == 1);
            _images.Add(images);
        }
        for (var i = 0; i < Names.Length; i++)
        {
            var node = new ClusterNode(Settings(i, consortium), NullLoggerFactory.Instance, TimeProvider.System);
            _nodes.Add(node);
            await node.StartAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Two_nodes_train_a_dp_task_on_their_own_png_folders_and_metrics_show_its_rounds_chain_transfers_and_epsilon()
    {
        using var http = NodeApis.Client(_nodes[0]);
        var spec = "task { id = own-1, model = smallcnn, participants = [node-a, node-b], datasets { node-a = xray, node-b = xray }, rounds = 2,\n"
            + "  optimizer { name = adam, learning-rate = 0.001, batch-size = 8 }, personalization { mode = none },\n"
            + "  privacy { mode = local, noise-multiplier = 1.0, clip-norm = 2.0, delta = 1e-4 } }";
        using var response = await http.PostAsync(new Uri(_nodes[0].HttpAddress!, "/tasks"), TaskEndpoints.SubmitContent(spec));
        var submitted = (await response.Content.ReadFromJsonAsync<SubmitTaskResult>(TaskJson.Options))!;
        Assert.True(submitted.Started, submitted.Error ?? string.Join("; ", submitted.Answers.Select(a => a.Reason)));

        var finals = new List<TaskInfo>();
        foreach (var node in _nodes)
        {
            finals.Add(await CompletedAsync(node, "own-1"));
        }

        Assert.All(finals, f => Assert.Equal(TaskState.Completed, f.Progress.State));
        Assert.Equal(finals[0].Progress.ModelHash, finals[1].Progress.ModelHash);
        // Seeded split, 0.2 + 0.2 held out per class: 6 of each class's 10 images train.
        var trainCount = 2 * (ImagesPerClass - 4);
        var plan = SitePrivacyPlan.For(TaskSpecFile.Parse(spec, "spec"), trainCount)!;
        var epsilon = plan.EpsilonAfter(2L * plan.StepsPerRound);
        using var anonymous = new HttpClient();
        for (var i = 0; i < _nodes.Count; i++)
        {
            var text = await anonymous.GetStringAsync(new Uri(_nodes[i].HttpAddress!, "/metrics"));
            var families = PrometheusTextParser.Parse(text);
            var task = new Dictionary<string, string> { ["task"] = "own-1" };

            Assert.Equal("counter", families["swarm_task_rounds_finalized_total"].Type);
            Assert.Equal(2, Value(families, "swarm_task_rounds_finalized_total", task));
            Assert.Equal(finals[i].Progress.ChainHeight, Value(families, "swarm_chain_height", task));
            Assert.True(finals[i].Progress.ChainHeight >= 3, $"chain height {finals[i].Progress.ChainHeight}");
            var fetched = finals[i].Progress.Transfers!;
            Assert.Equal(fetched.Sum(t => t.Bytes), Value(families, "swarm_blob_transfer_bytes_total", task));
            Assert.Equal(fetched.Sum(t => t.Blobs), Value(families, "swarm_blob_transfers_total", task));
            Assert.True(Value(families, "swarm_blob_transfer_bytes_total", task) > 0, $"{Names[i]} fetched no bytes");
            Assert.True(Value(families, "swarm_blob_transfer_seconds_total", task) > 0, $"{Names[i]} took no time fetching");
            Assert.Equal(epsilon, Value(families, "swarm_privacy_epsilon_spent", task), 9);
            Assert.Equal(1, Value(families, "swarm_tasks", new Dictionary<string, string> { ["state"] = "Completed" }));
            Assert.Equal("gauge", families["swarm_members"].Type);
            Assert.True(Value(families, "swarm_transport_messages_received_total", []) > 0);
        }
    }

    private static double Value(IReadOnlyDictionary<string, PrometheusFamily> families, string name, Dictionary<string, string> labels)
    {
        Assert.True(families.TryGetValue(name, out var family), $"no family {name}");
        return Assert.Single(family!.Samples, s => s.Labels.Count == labels.Count && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Value;
    }

    private static async Task<TaskInfo> CompletedAsync(ClusterNode node, string id)
    {
        using var http = NodeApis.Client(node);
        var deadline = DateTime.UtcNow + Wait;
        TaskInfo? info = null;
        while (DateTime.UtcNow < deadline)
        {
            info = await http.GetFromJsonAsync<TaskInfo>(new Uri(node.HttpAddress!, $"/tasks/{id}"), TaskJson.Options);
            if (info!.Progress.State is TaskState.Completed or TaskState.Failed or TaskState.Cancelled)
            {
                return info;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"task {id} did not end within {Wait} on {node.HttpAddress}: {info?.Progress}");
    }

    private NodeSettings Settings(int index, string consortium)
    {
        var dir = Path.Combine(_root, Names[index]);
        var images = _images[index];
        // node-b's images are RGB: its one-channel entry converts them to grey-scale. Both are 32×32, cropped to 28.
        var text = string.Create(CultureInfo.InvariantCulture, $$"""
            node { id = "{{Names[index]}}", data-dir = "{{dir}}/data", signing-key-path = "{{dir}}/signing.key" }
            network { listen-host = "127.0.0.1", listen-port = {{PeerPortBase + index}}, reconnect-backoff-min = 50ms, reconnect-backoff-max = 500ms }
            tls { cert-path = "{{dir}}/node.crt", key-path = "{{dir}}/node.key" }
            consortium { file = "{{consortium}}" }
            gossip { interval = 200ms }
            http { port = 0 }
            policy.allowed-datasets = [xray]
            data.images.xray {
              folder = "{{images.Folder}}"
              labels = "{{images.LabelsPath}}"
              channels = 1
              image-size = 28
              resize = crop
              classes = [normal, pneumonia]
              split = seeded
              validation-fraction = 0.2
              test-fraction = 0.2
              seed = {{index + 1}}
            }
            """);
        var path = Path.Combine(_root, Names[index] + ".conf");
        File.WriteAllText(path, text);
        return SwarmConfiguration.Bind(SwarmConfiguration.Build(path, [], new Dictionary<string, string>()));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        foreach (var images in _images)
        {
            images.Dispose();
        }
        Directory.Delete(_root, recursive: true);
    }
}
