using System.Globalization;
using System.Net.Http.Json;
using Swarm.Node.Cli;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using Xunit.Abstractions;

namespace Swarm.Tests.Tasks;

/// <summary>Many chains on one node: two nodes in this process (peer ports 28730-28731) run two tasks at once, each
/// with its own chain; both progress and both are listed per chain (height, round, members, last block time) by
/// <c>swarm task list</c> and <c>swarm status</c>. node-b takes part in at most two tasks (<c>tasks.running-max = 2</c>),
/// so a third submitted while both run is refused with that reason. After both complete, <c>swarm task similar</c>
/// ranks the other task's final model as a source for the first, scored on node-a's validation images.</summary>
public sealed class ManyChainsTests(ITestOutputHelper output)
{
    private const int PeerPortBase = 28730;
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Two_tasks_run_at_once_each_on_its_chain_are_listed_per_chain_and_a_third_over_the_limit_is_refused()
    {
        await using var nodes = await InProcessNodes.StartAsync(["127.0.0.1", "127.0.0.1"], PeerPortBase,
            i => i == 1 ? "tasks.running-max = 2" : "", trainLimit: 400);
        foreach (var node in nodes.Nodes)
        {
            await UntilAsync(async () => (await node.HealthAsync(CancellationToken.None)).Members.Count(m => m.Status == "up") == 2, "both members up");
        }

        var submits = await Task.WhenAll(
            nodes.SubmitAsync(0, Spec(nodes, "chain-one", seed: 1), CancellationToken.None),
            nodes.SubmitAsync(1, Spec(nodes, "chain-two", seed: 2), CancellationToken.None));
        Assert.All(submits, s => Assert.True(s.Started, s.Error ?? string.Join("; ", s.Answers.Select(a => $"{a.Node}: {a.Reason}"))));

        var third = await nodes.SubmitAsync(0, Spec(nodes, "chain-three", seed: 3), CancellationToken.None);
        Assert.False(third.Started);
        var refusal = Assert.Single(third.Answers, a => !a.Consents);
        Assert.Equal("node-b", refusal.Node);
        Assert.Contains("node 'node-b' already takes part in 2 tasks (chain-one, chain-two), its limit tasks.running-max = 2", refusal.Reason, StringComparison.Ordinal);

        // Both chains grow while both tasks run: seen at one moment on node-a, each with blocks and neither finished.
        var api = NodeApis.Of(nodes[0]);
        IReadOnlyList<TaskInfo> seen = [];
        await UntilAsync(async () =>
        {
            seen = await ListAsync(api);
            return seen.Count(t => t.Progress.State == TaskState.Running && t.Progress.ChainHeight > 0) == 2;
        }, "both chains running with blocks at once", () => string.Join(" | ", seen.Select(t =>
            $"{t.TaskId}: {t.Progress.State}, height {t.Progress.ChainHeight}, {t.Progress.Detail}")));
        var running = new StringWriter();
        await TaskCommand.ListAsync(api, running, TextWriter.Null, CancellationToken.None);
        output.WriteLine(running.ToString());

        for (var i = 0; i < 2; i++)
        {
            foreach (var id in new[] { "chain-one", "chain-two" })
            {
                await UntilAsync(async () => (await nodes.TaskAsync(i, id))?.Progress.State is TaskState.Completed, $"{nodes.Names[i]}: {id} completed");
            }
        }
        var tasks = await ListAsync(api);
        Assert.Equal(["chain-one", "chain-two"], tasks.Select(t => t.TaskId).Order(StringComparer.Ordinal));
        foreach (var task in tasks)
        {
            Assert.Equal(["node-a", "node-b"], task.Participants);
            Assert.Equal(4, task.Progress.Round);
            Assert.True(task.Progress.ChainHeight >= 4, $"{task.TaskId}: height {task.Progress.ChainHeight}");
            var last = Assert.NotNull(task.Progress.LastBlockAt);
            Assert.InRange(last, DateTimeOffset.UtcNow - Wait - Wait, DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1));
        }

        var listed = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await TaskCommand.ListAsync(api, listed, TextWriter.Null, CancellationToken.None));
        var status = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await StatusCommand.PrintAsync(nodes[0].HttpAddress!, status, TextWriter.Null, CancellationToken.None, api));
        foreach (var text in new[] { listed.ToString(), status.ToString() })
        {
            Assert.Contains("LAST BLOCK (UTC)", text, StringComparison.Ordinal);
            foreach (var task in tasks)
            {
                var line = Assert.Single(text.Split('\n'), l => l.StartsWith(task.TaskId + " ", StringComparison.Ordinal));
                Assert.Contains("Completed", line, StringComparison.Ordinal);
                Assert.Contains("node-a,node-b", line, StringComparison.Ordinal);
                Assert.Contains(ChainTable.LastBlock(task.Progress.LastBlockAt), line, StringComparison.Ordinal);
                Assert.Contains(task.Progress.ChainHeight.ToString(CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
            }
        }

        var similar = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await TaskCommand.SimilarAsync(api, "chain-one", similar, TextWriter.Null, CancellationToken.None));
        var ranked = similar.ToString();
        output.WriteLine(status.ToString());
        output.WriteLine(ranked);
        Assert.Contains("   1 chain-two ", ranked, StringComparison.Ordinal);
        Assert.Contains(tasks.Single(t => t.TaskId == "chain-two").Progress.ModelHash!, ranked, StringComparison.Ordinal);
        Assert.Contains("1 candidates, 0 excluded", ranked, StringComparison.Ordinal);
    }

    private static string Spec(InProcessNodes nodes, string id, int seed) => string.Create(CultureInfo.InvariantCulture, $$"""
        task {
          id = "{{id}}", model = smallcnn, participants = [{{string.Join(", ", nodes.Names)}}]
          datasets { {{string.Join(", ", nodes.Names.Select(n => n + " = pneumoniamnist"))}} }
          rounds = 4, local-epochs = 1, quorum = 2, round-deadline = 2m, seed = {{seed}}
          optimizer { name = adam, learning-rate = 0.001, batch-size = 32 }
          personalization { mode = none }
          metadata { modality = x-ray, body-part = chest, input-shape = [28, 28], channels = 1, labels = 2 }
        }
        """);

    private static async Task<IReadOnlyList<TaskInfo>> ListAsync(NodeApi api)
    {
        using var http = api.CreateClient(TimeSpan.FromSeconds(30));
        using var response = await http.GetAsync(new Uri(api.Endpoint, "/tasks"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TaskList>(TaskJson.Options))!.Tasks;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string phase, Func<string>? last = null)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"phase '{phase}' did not happen within {Wait}{(last is null ? "" : ": " + last())}");
            await Task.Delay(100);
        }
    }
}
