using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Configuration;
using Swarm.Node.Service;
using Swarm.Node.Tasks;
using Swarm.Tests.Cluster;

namespace Swarm.Tests.Tasks;

/// <summary>Nodes in this process with the real task engine over the mutual-TLS transport: identities and the
/// consortium file made with the real <c>swarm keygen</c> and <c>swarm consortium</c>, node i listening for peers on
/// <c>hosts[i]:peerPortBase + i</c> (each test class its own port range), HTTP on a free loopback port, each on its
/// share of PneumoniaMNIST's first <c>trainLimit</c> training images, plus whatever HOCON <c>extra(i)</c> adds to its node.conf.</summary>
internal sealed class InProcessNodes : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "swarm-nodes-" + Guid.NewGuid().ToString("N"));
    private readonly List<ClusterNode> _nodes = [];

    private readonly int _trainLimit;

    private InProcessNodes(IReadOnlyList<string> names, int trainLimit)
    {
        Names = names;
        _trainLimit = trainLimit;
    }

    public IReadOnlyList<string> Names { get; }

    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    public ClusterNode this[int index] => _nodes[index];

    /// <summary>Node <paramref name="index"/>'s data directory (its task blobs are under <c>tasks/&lt;task id&gt;</c>).</summary>
    public string DataDirectory(int index) => Path.Combine(_root, Names[index], "data");

    public static async Task<InProcessNodes> StartAsync(IReadOnlyList<string> hosts, int peerPortBase, Func<int, string>? extra = null, int trainLimit = 400)
    {
        var nodes = new InProcessNodes([.. hosts.Select((_, i) => $"node-{(char)('a' + i)}")], trainLimit);
        try
        {
            await nodes.StartAsync(hosts, peerPortBase, extra ?? (_ => ""));
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(IReadOnlyList<string> hosts, int peerPortBase, Func<int, string> extra)
    {
        Directory.CreateDirectory(_root);
        var consortium = Path.Combine(_root, "consortium.conf");
        SwarmCliProcess.Run("consortium", "init", "--name", "in-process-test", "--file", consortium);
        for (var i = 0; i < Names.Count; i++)
        {
            ClusterFiles.AddMember(consortium, Path.Combine(_root, Names[i]), Names[i], $"{hosts[i]}:{peerPortBase + i}");
        }
        for (var i = 0; i < Names.Count; i++)
        {
            var node = new ClusterNode(Settings(i, hosts[i], peerPortBase + i, consortium, extra(i)), NullLoggerFactory.Instance, TimeProvider.System);
            _nodes.Add(node);
            await node.StartAsync(CancellationToken.None);
        }
        // The tests built on these nodes are about tasks, not the join: a consent request sent before every node
        // sees every other one up is dropped by Akka.Remote and answered "no answer within 30s" (seen on a loaded
        // CI machine), so the nodes are handed out only once they formed one cluster.
        var joined = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        for (var i = 0; i < _nodes.Count; i++)
        {
            while ((await _nodes[i].HealthAsync(CancellationToken.None)).Members.Count(m => m.Status == "up") < Names.Count)
            {
                if (DateTime.UtcNow > joined)
                {
                    throw new TimeoutException($"{Names[i]} did not see all {Names.Count} nodes up within 120 s");
                }
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A task of every node on pneumoniamnist with <paramref name="rounds"/> rounds, as HOCON.</summary>
    public string Spec(string id, int rounds) => string.Create(CultureInfo.InvariantCulture, $$"""
        task {
          id = "{{id}}", model = smallcnn, participants = [{{string.Join(", ", Names)}}]
          datasets { {{string.Join(", ", Names.Select(n => n + " = pneumoniamnist"))}} }
          rounds = {{rounds}}, local-epochs = 1, quorum = {{Names.Count}}, round-deadline = 2m, seed = 1
          optimizer { name = adam, learning-rate = 0.001, batch-size = 32 }
          personalization { mode = none }
        }
        """);

    /// <summary>Submits <paramref name="spec"/> to node <paramref name="index"/> without waiting for the answer (a
    /// participant with manual approval holds it).</summary>
    public async Task<SubmitTaskResult> SubmitAsync(int index, string spec, CancellationToken cancellationToken)
    {
        using var http = NodeApis.Client(_nodes[index]);
        using var response = await http.PostAsync(new Uri(_nodes[index].HttpAddress!, "/tasks"), TaskEndpoints.SubmitContent(spec), cancellationToken);
        return (await response.Content.ReadFromJsonAsync<SubmitTaskResult>(TaskJson.Options, cancellationToken))!;
    }

    /// <summary>Node <paramref name="index"/>'s view of the task, or null while it does not know it.</summary>
    public async Task<TaskInfo?> TaskAsync(int index, string id)
    {
        using var http = NodeApis.Client(_nodes[index]);
        using var response = await http.GetAsync(new Uri(_nodes[index].HttpAddress!, $"/tasks/{id}"));
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TaskInfo>(TaskJson.Options) : null;
    }

    private NodeSettings Settings(int index, string host, int port, string consortium, string extra)
    {
        var dir = Path.Combine(_root, Names[index]);
        var text = string.Create(CultureInfo.InvariantCulture, $$"""
            node { id = "{{Names[index]}}", data-dir = "{{dir}}/data", signing-key-path = "{{dir}}/signing.key" }
            network { listen-host = "{{host}}", listen-port = {{port}}, reconnect-backoff-min = 50ms, reconnect-backoff-max = 500ms }
            tls { cert-path = "{{dir}}/node.crt", key-path = "{{dir}}/node.key" }
            consortium { file = "{{consortium}}" }
            gossip { interval = 200ms }
            http { port = 0 }
            training { threads = 1 }
            policy.allowed-datasets = [pneumoniamnist]
            data.sets.pneumoniamnist { partition = iid, alpha = 1, sites = {{Names.Count}}, site-index = {{index}}, seed = 1, train-limit = {{_trainLimit}} }
            {{extra}}
            """);
        var path = Path.Combine(_root, Names[index] + ".conf");
        File.WriteAllText(path, text);
        return SwarmConfiguration.Bind(SwarmConfiguration.Build(path, [], new Dictionary<string, string>()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
