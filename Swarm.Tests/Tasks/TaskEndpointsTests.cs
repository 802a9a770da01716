using Akka.Actor;
using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Cli;
using Swarm.Node.Configuration;
using Swarm.Node.Service;
using Swarm.Node.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>The task endpoints and <c>swarm task</c> against a node started alone (its only member), with the real
/// data source (PneumoniaMNIST from data/medmnist) and a fake task engine.</summary>
public sealed class TaskEndpointsTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "swarm-tasks-" + Guid.NewGuid().ToString("N"));
    private readonly Channel<FakeTaskPeer.Event> _events = Channel.CreateUnbounded<FakeTaskPeer.Event>();

    public TaskEndpointsTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public async Task Submit_list_show_and_cancel_a_task_through_the_cli()
    {
        await using var node = new ClusterNode(Settings(), NullLoggerFactory.Instance, TimeProvider.System,
            launch => Props.Create(() => new FakeTaskPeer("solo", launch, _events.Writer)));
        await node.StartAsync(CancellationToken.None);
        var api = NodeApis.Of(node);
        var (output, error) = (new StringWriter(), new StringWriter());

        var submitted = await TaskCommand.SubmitAsync(api, SpecFile("solo-1", "pneumoniamnist"), output, error, CancellationToken.None);

        Assert.True(submitted == ExitCodes.Ok, error.ToString());
        Assert.Contains("task solo-1 started (spec sha256 ", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("solo                     consents", output.ToString(), StringComparison.Ordinal);
        using var timeout = new CancellationTokenSource(Wait);
        var started = await _events.Reader.ReadAsync(timeout.Token);
        Assert.Equal(("solo", "started", "swarm://solo/user/tasks/solo-1"), (started.Node, started.Kind, started.Path.ToString()));
        // Site 0 of 2 of the first 200 training images.
        Assert.Equal(100, started.Launch.Data.Train.Count);

        output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await TaskCommand.ListAsync(api, output, error, CancellationToken.None));
        Assert.Matches(@"solo-1\s+Running\s+1/3\s+3 -\s+solo", output.ToString());

        output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await TaskCommand.ShowAsync(api, "solo-1", output, error, CancellationToken.None));
        Assert.Contains("state        Running", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("participants solo", output.ToString(), StringComparison.Ordinal);

        output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await TaskCommand.CancelAsync(api, "solo-1", "enough", output, error, CancellationToken.None));
        Assert.Contains("state        Cancelled", output.ToString(), StringComparison.Ordinal);
        var cancelled = await _events.Reader.ReadAsync(timeout.Token);
        Assert.Equal(("cancelled", "enough"), (cancelled.Kind, cancelled.Reason));
    }

    [Fact]
    public async Task A_refusal_is_printed_with_its_reason_and_fails_the_command()
    {
        await using var node = new ClusterNode(Settings(), NullLoggerFactory.Instance, TimeProvider.System);
        await node.StartAsync(CancellationToken.None);
        var error = new StringWriter();

        var code = await TaskCommand.SubmitAsync(NodeApis.Of(node), SpecFile("solo-2", "breastmnist"), TextWriter.Null, error, CancellationToken.None);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("task solo-2 was not started", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("solo                     refuses: data set 'breastmnist' is not allowed on node 'solo'", error.ToString(), StringComparison.Ordinal);
        using var http = NodeApis.Client(node);
        var response = await http.PostAsync(new Uri(node.HttpAddress!, "/tasks"), TaskEndpoints.SubmitContent(File.ReadAllText(SpecFile("solo-3", "breastmnist"))));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    /// <summary>Attacks from a web page in the operator's browser: a cross-site form posting a spec as plain text
    /// (no CORS preflight for that), and a page whose DNS name was rebound to 127.0.0.1 (its requests carry its own
    /// Host). Both are refused before any endpoint runs, and no task is created.</summary>
    [Fact]
    public async Task A_plain_text_post_and_a_foreign_host_are_refused_before_any_endpoint()
    {
        await using var node = new ClusterNode(Settings(), NullLoggerFactory.Instance, TimeProvider.System);
        await node.StartAsync(CancellationToken.None);
        var url = node.HttpAddress!;
        // With the admin token: these guards hold for the operator's own requests too.
        using var http = NodeApis.Client(node);
        var spec = File.ReadAllText(SpecFile("solo-9", "pneumoniamnist"));

        using var form = await http.PostAsync(new Uri(url, "/tasks"), new StringContent(spec, System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Contains("must be application/json", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var cancel = await http.PostAsync(new Uri(url, "/tasks/solo-9/cancel"), new StringContent("", System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, cancel.StatusCode);

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            using var rebound = new HttpRequestMessage(method, new Uri(url, "/tasks")) { Content = method == HttpMethod.Post ? TaskEndpoints.SubmitContent(spec) : null };
            rebound.Headers.Host = "attacker.example:" + url.Port;
            using var answer = await http.SendAsync(rebound);
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
            Assert.Contains("is not this node's loopback address", (await answer.Content.ReadFromJsonAsync<TaskError>(TaskJson.Options))!.Error, StringComparison.Ordinal);
        }

        using var malformed = await http.PostAsync(new Uri(url, "/tasks"), new StringContent("{\"spec\": 5", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("not the expected JSON", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var list = await http.GetFromJsonAsync<TaskList>(new Uri(url, "/tasks"), TaskJson.Options);
        Assert.Empty(list!.Tasks);
    }

    [Fact]
    public async Task Bad_specs_unknown_ids_and_a_node_without_an_engine_get_clear_answers()
    {
        await using var node = new ClusterNode(Settings(), NullLoggerFactory.Instance, TimeProvider.System);
        await node.StartAsync(CancellationToken.None);
        var url = node.HttpAddress!;
        var api = NodeApis.Of(node);
        using var http = NodeApis.Client(node);

        var bad = await http.PostAsync(new Uri(url, "/tasks"), TaskEndpoints.SubmitContent("task { id = x }"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("task.model", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(url, "/tasks/nope"))).StatusCode);
        var error = new StringWriter();
        Assert.Equal(ExitCodes.Failure, await TaskCommand.ShowAsync(api, "nope", TextWriter.Null, error, CancellationToken.None));
        Assert.Contains("swarm task show: no task 'nope' on this node", error.ToString(), StringComparison.Ordinal);

        var badFile = Path.Combine(_dir, "bad.conf");
        File.WriteAllText(badFile, "task {\n  id = x\n  rounds = many\n}\n");
        error = new StringWriter();
        Assert.Equal(ExitCodes.Config, await TaskCommand.SubmitAsync(api, badFile, TextWriter.Null, error, CancellationToken.None));
        Assert.Contains($"{badFile}:3: key 'task.rounds'", error.ToString(), StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Ok, await TaskCommand.SubmitAsync(api, SpecFile("solo-4", "pneumoniamnist"), TextWriter.Null, error, CancellationToken.None));
        var output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await TaskCommand.ShowAsync(api, "solo-4", output, error, CancellationToken.None));
        Assert.Contains("state        Failed", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("detail       this node has no task engine", output.ToString(), StringComparison.Ordinal);
    }

    private string SpecFile(string id, string dataset)
    {
        var path = Path.Combine(_dir, id + ".conf");
        File.WriteAllText(path, $"task {{\n  id = {id}\n  model = smallcnn\n  participants = [solo]\n  datasets.solo = {dataset}\n  rounds = 3\n}}\n");
        return path;
    }

    private NodeSettings Settings()
    {
        var environment = new Dictionary<string, string> { ["SWARM_NODE__ID"] = "solo" };
        var settings = SwarmConfiguration.Bind(SwarmConfiguration.Build(null, [], environment));
        var set = new DataSetSettings { Partition = DataPartition.Iid, Alpha = 1, Sites = 2, SiteIndex = 0, Seed = 1, TrainLimit = 200 };
        return settings with
        {
            Node = new NodeIdentitySettings { Id = "solo", DataDir = _dir },
            Store = settings.Store with { SqlitePath = Path.Combine(_dir, "ledger.db") },
            Http = new HttpSettings { Port = 0 },
            Policy = settings.Policy with { AllowedDatasets = ["pneumoniamnist"] },
            Data = new DataSettings { Sets = new Dictionary<string, DataSetSettings> { ["pneumoniamnist"] = set } },
        };
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A store file may still be closing; the temp folder is cleaned by the OS.
        }
    }
}
