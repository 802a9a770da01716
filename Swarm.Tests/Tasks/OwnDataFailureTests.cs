using System.Net.Http.Json;
using Akka.Actor;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Configuration;
using Swarm.Node.Service;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using Swarm.Tests.Data;

namespace Swarm.Tests.Tasks;

/// <summary>A node whose image folder holds a bad file: the task it consented to fails on this node with the file and
/// the CSV line in its detail, no task peer starts, and the node goes on serving.</summary>
public sealed class OwnDataFailureTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "swarm-own-fail-" + Guid.NewGuid().ToString("N"));
    private readonly ImageFolderFixture _images = new();
    private readonly Channel<FakeTaskPeer.Event> _events = Channel.CreateUnbounded<FakeTaskPeer.Event>();

    [Theory]
    [InlineData("corrupt", "not a readable PNG or JPEG image")]
    [InlineData("wrong-size", "32×32 pixels, but the entry's images are 28×28 (resize = exact")]
    [InlineData("unknown-label", "label 'effusion' of 'normal-002.png' is not one of the entry's classes (normal, pneumonia)")]
    public async Task A_bad_file_fails_the_task_on_this_node_naming_it_and_the_node_keeps_serving(string fault, string problem)
    {
        var rows = _images.WriteClasses(5);
        var bad = Path.Combine(_images.Folder, "normal-002.png");
        switch (fault)
        {
            case "corrupt":
                File.WriteAllBytes(bad, File.ReadAllBytes(bad)[..40]);
                break;
            case "wrong-size":
                _images.WritePng("normal-002.png", 32, 32, 30);
                break;
            default:
                _images.WriteLabels("file,label", rows.Select(r => r == "normal-002.png,normal" ? "normal-002.png,effusion" : r));
                break;
        }
        var settings = SoloNode.Settings(_dir) with
        {
            Data = new DataSettings { Images = new Dictionary<string, ImageFolderSettings> { ["xray"] = _images.Entry() } },
        };
        settings = settings with { Policy = settings.Policy with { AllowedDatasets = ["xray"] } };
        await using var node = new ClusterNode(settings, NullLoggerFactory.Instance, TimeProvider.System,
            launch => Props.Create(() => new FakeTaskPeer("solo", launch, _events.Writer)));
        await node.StartAsync(CancellationToken.None);
        using var http = NodeApis.Client(node);

        using var response = await http.PostAsync(new Uri(node.HttpAddress!, "/tasks"), TaskEndpoints.SubmitContent(
            "task { id = own-bad, model = smallcnn, participants = [solo], datasets.solo = xray, rounds = 2 }"));
        var submitted = (await response.Content.ReadFromJsonAsync<SubmitTaskResult>(TaskJson.Options))!;
        Assert.True(submitted.Started, submitted.Error ?? string.Join("; ", submitted.Answers.Select(a => a.Reason)));
        var info = await FailedAsync(http, node.HttpAddress!);

        Assert.StartsWith("cannot load data set 'xray': ", info.Progress.Detail, StringComparison.Ordinal);
        Assert.Contains(fault == "unknown-label" ? $"{_images.LabelsPath} line " : $"{bad} ({_images.LabelsPath} line ", info.Progress.Detail, StringComparison.Ordinal);
        Assert.Contains(problem, info.Progress.Detail, StringComparison.Ordinal);
        Assert.False(_events.Reader.TryRead(out _), "a task peer started on data that failed to load");
        Assert.True((await http.GetAsync(new Uri(node.HttpAddress!, "/health/ready"))).IsSuccessStatusCode);
    }

    private static async Task<TaskInfo> FailedAsync(HttpClient http, Uri node)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var info = (await http.GetFromJsonAsync<TaskInfo>(new Uri(node, "/tasks/own-bad"), TaskJson.Options))!;
            if (info.Progress.State == TaskState.Failed || DateTime.UtcNow > deadline)
            {
                Assert.Equal(TaskState.Failed, info.Progress.State);
                return info;
            }
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        _images.Dispose();
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
