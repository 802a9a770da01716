using Akka.Actor;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Configuration;
using Swarm.Node.Service;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using Swarm.Tests.Cluster;

namespace Swarm.Tests.Tasks;

/// <summary>Consent between two nodes in this process over Akka.Remote with pinned mutual TLS (blob ports 26800-26801,
/// cluster ports 26820-26821,
/// this test's own range below the ephemeral ports): identities and the consortium file are made with the real
/// <c>swarm keygen</c> and <c>swarm consortium</c>; node-b allows only pneumoniamnist, node-a also breastmnist.</summary>
public sealed class TaskClusterTests : IAsyncLifetime
{
    private const int PeerPortBase = 26800;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] Names = ["node-a", "node-b"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "swarm-task-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly Channel<FakeTaskPeer.Event> _events = Channel.CreateUnbounded<FakeTaskPeer.Event>();
    private readonly List<ClusterNode> _nodes = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var consortium = Path.Combine(_root, "consortium.conf");
        SwarmCliProcess.Run("consortium", "init", "--name", "task-test", "--file", consortium);
        for (var i = 0; i < Names.Length; i++)
        {
            ClusterFiles.AddMember(consortium, Path.Combine(_root, Names[i]), Names[i], $"127.0.0.1:{PeerPortBase + i}");
        }
        for (var i = 0; i < Names.Length; i++)
        {
            var (name, index) = (Names[i], i);
            var node = new ClusterNode(Settings(i, consortium), NullLoggerFactory.Instance, TimeProvider.System,
                launch => Props.Create(() => new FakeTaskPeer(name, launch, _events.Writer)));
            _nodes.Add(node);
            await node.StartAsync(CancellationToken.None);
        }
        // Consent is what this class tests, not the join: a request sent before the two nodes formed a cluster is
        // dropped by Akka.Remote and answered "no answer within 30s" (seen on a loaded CI machine).
        var joined = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        foreach (var node in _nodes)
        {
            while ((await node.HealthAsync(CancellationToken.None)).Members.Count(m => m.Status == "up") < Names.Length)
            {
                Assert.True(DateTime.UtcNow < joined, "the two nodes did not form a cluster within 90 s");
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task Two_nodes_consent_over_the_transport_and_a_refusal_comes_back_with_its_reason()
    {
        using var http = NodeApis.Client(_nodes[0]);
        using var httpB = NodeApis.Client(_nodes[1]);
        var a = _nodes[0].HttpAddress!;

        var started = await SubmitAsync(http, a, "pair-1", "pneumoniamnist");

        Assert.True(started.Started, started.Error ?? string.Join("; ", started.Answers.Select(x => x.Reason)));
        Assert.Equal(["node-a", "node-b"], started.Answers.Select(x => x.Node));
        using var timeout = new CancellationTokenSource(Wait);
        var launches = new[] { await _events.Reader.ReadAsync(timeout.Token), await _events.Reader.ReadAsync(timeout.Token) };
        Assert.Equal(["node-a", "node-b"], launches.Select(l => l.Node).Order());
        var onB = await httpB.GetFromJsonAsync<TaskInfo>(new Uri(_nodes[1].HttpAddress!, "/tasks/pair-1"), TaskJson.Options);
        Assert.Equal(("node-a", started.SpecDigest), (onB!.Submitter, onB.SpecDigest));
        // Each consent carried the participant's signed sample count, checked over the transport; the start carried them
        // all to both peers, and the participant shows them.
        var counts = started.Answers.Select(x => x.SampleCount).ToList();
        Assert.All(counts, c => Assert.True(c > 0));
        Assert.All(launches, l => Assert.Equal(counts, l.Launch.Declarations.Select(d => (long?)d.SampleCount)));
        Assert.Equal(counts, onB.SampleCounts.Select(c => (long?)c.SampleCount));

        var refused = await SubmitAsync(http, a, "pair-2", "breastmnist");

        Assert.False(refused.Started);
        Assert.Equal(new ParticipantAnswer("node-b", false, "data set 'breastmnist' is not allowed on node 'node-b' (policy.allowed-datasets)"),
            Assert.Single(refused.Answers, x => !x.Consents));
        // node-b consented to nothing here; node-a forgets its own consent on the abort (which crosses no network).
        var listOnA = await http.GetFromJsonAsync<TaskList>(new Uri(a, "/tasks"), TaskJson.Options);
        Assert.Equal(["pair-1"], listOnA!.Tasks.Select(t => t.TaskId));
        Assert.False(_events.Reader.TryRead(out _));
    }

    private static async Task<SubmitTaskResult> SubmitAsync(HttpClient http, Uri node, string id, string dataset)
    {
        var spec = $"task {{ id = {id}, model = smallcnn, participants = [node-a, node-b], datasets {{ node-a = {dataset}, node-b = {dataset} }} }}";
        using var response = await http.PostAsync(new Uri(node, "/tasks"), TaskEndpoints.SubmitContent(spec));
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"POST /tasks answered {response.StatusCode}");
        return (await response.Content.ReadFromJsonAsync<SubmitTaskResult>(TaskJson.Options))!;
    }

    private NodeSettings Settings(int index, string consortium)
    {
        var dir = Path.Combine(_root, Names[index]);
        var allowed = index == 0 ? "[pneumoniamnist, breastmnist]" : "[pneumoniamnist]";
        var text = string.Create(CultureInfo.InvariantCulture, $$"""
            node { id = "{{Names[index]}}", data-dir = "{{dir}}/data", signing-key-path = "{{dir}}/signing.key" }
            network { listen-host = "127.0.0.1", listen-port = {{PeerPortBase + index}}, cluster-port-offset = 20, reconnect-backoff-min = 50ms, reconnect-backoff-max = 500ms }
            tls { cert-path = "{{dir}}/node.crt", key-path = "{{dir}}/node.key" }
            consortium { file = "{{consortium}}" }
            gossip { interval = 200ms }
            http { port = 0 }
            policy.allowed-datasets = {{allowed}}
            data.sets.pneumoniamnist { partition = iid, alpha = 1, sites = 2, site-index = {{index}}, seed = 1, train-limit = 200 }
            data.sets.breastmnist { partition = iid, alpha = 1, sites = 2, site-index = {{index}}, seed = 1, train-limit = 200 }
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
        Directory.Delete(_root, recursive: true);
    }
}
