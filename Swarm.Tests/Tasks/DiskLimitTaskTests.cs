using Swarm.Node.Tasks;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary><c>tasks.disk-per-task-max</c> on a running node: a task whose blobs would pass the limit on node-b (1 MiB,
/// less than one SmallCnn model of about 1.7 MB) stops there, shown Failed with the limit named, instead of filling the
/// disk; node-a, without that limit, is not stopped by it. Two nodes in this process, peer ports 28740-28741.</summary>
public sealed class DiskLimitTaskTests
{
    private const int PeerPortBase = 28740;
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_task_whose_blobs_would_pass_the_disk_limit_fails_on_that_node_with_the_reason()
    {
        await using var nodes = await InProcessNodes.StartAsync(["127.0.0.1", "127.0.0.1"], PeerPortBase,
            i => i == 1 ? "tasks.disk-per-task-max = 1MiB" : "", trainLimit: 200);
        foreach (var node in nodes.Nodes)
        {
            await UntilAsync(async () => (await node.HealthAsync(CancellationToken.None)).Members.Count(m => m.Status == "up") == 2, "both members up");
        }

        var submitted = await nodes.SubmitAsync(0, nodes.Spec("too-big", rounds: 2), CancellationToken.None);
        Assert.True(submitted.Started, submitted.Error ?? string.Join("; ", submitted.Answers.Select(a => $"{a.Node}: {a.Reason}")));

        TaskInfo? info = null;
        await UntilAsync(async () => (info = await nodes.TaskAsync(1, "too-big"))?.Progress.State is TaskState.Failed, "node-b: too-big failed");
        Assert.Contains("task 'too-big' would keep", info!.Progress.Detail, StringComparison.Ordinal);
        Assert.Contains("over its limit tasks.disk-per-task-max = 1048576 bytes", info.Progress.Detail, StringComparison.Ordinal);
        var folder = Path.Combine(Path.GetDirectoryName(nodes[1].AdminTokenPath!)!, "tasks", "too-big");
        var stored = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(stored <= 1 << 20, $"node-b's task folder holds {stored} bytes");
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
