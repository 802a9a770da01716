using System.Globalization;
using System.Runtime.InteropServices;
using Swarm.Learning.Training;
using Swarm.Learning.Transfer;
using Swarm.Learning.Updates;
using Swarm.Node.Cli;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using Swarm.Tasks.CrossChain;

namespace Swarm.Tests.Tasks;

/// <summary>Cross-chain import on real nodes (docs/cross-chain.md, "Imports on nodes"): five nodes in this process
/// with the real task engine over the mutual-TLS transport (peer ports 29100-29104, this test's own range). Task xa
/// runs on nodes a-d and finalizes a model; the operators of a, b and c (a quorum of its four sites) grant its
/// feature layers for export. Task xb runs on b-e, partly overlapping xa: b, c and d build the proof from their own
/// ledger of xa, e (not a member of xa) fetches proof and model from one of them. Every site of xb starts round 1 from
/// the same model: the seeded initial model with xa's conv and fc1 layers. A task naming a grant that xa never
/// committed is refused with the reason.</summary>
public sealed class CrossChainImportClusterTests
{
    private const int PeerPortBase = 29100;
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_task_on_partly_overlapping_nodes_starts_from_the_layers_another_chain_granted_and_an_ungranted_import_is_refused()
    {
        await using var nodes = await InProcessNodes.StartAsync([.. Enumerable.Repeat("127.0.0.1", 5)], PeerPortBase, trainLimit: 200);
        foreach (var node in nodes.Nodes)
        {
            await UntilAsync(async () => (await node.HealthAsync(CancellationToken.None)).Members.Count(m => m.Status == "up") == 5, $"{node.HttpAddress}: five members up");
        }
        string[] a = ["node-a", "node-b", "node-c", "node-d"], b = ["node-b", "node-c", "node-d", "node-e"];

        var source = await nodes.SubmitAsync(0, Spec("xa", a, ""), CancellationToken.None);
        Assert.True(source.Started, source.Error ?? string.Join("; ", source.Answers.Select(x => $"{x.Node}: {x.Reason}")));
        TaskInfo? final = null;
        for (var i = 0; i < 4; i++)
        {
            await UntilAsync(async () => (final = await nodes.TaskAsync(i, "xa"))?.Progress.State is TaskState.Completed, $"{nodes.Names[i]}: xa completed");
        }
        var scope = new ExportScope(ExportScope.AnyChain, ExportScope.AnyModel, ["conv", "fc1"]);
        var grants = new List<Swarm.Actors.Tasks.ExportGranted>();
        for (var i = 0; i < 2; i++)
        {
            grants.Add((await nodes[i].GrantExportAsync("xa", "g1", grant: true, scope, CancellationToken.None))!);
        }
        Assert.All(grants, g => Assert.Null(g.Error));
        var (chainId, genesis) = (grants[0].ChainId, grants[0].GenesisHash);
        // The third grant the way an operator gives it: swarm task export-grant against node-c's API, which prints the
        // transfer line an importing spec takes.
        using var printed = new StringWriter();
        Assert.Equal(0, await TaskCommand.ExportGrantAsync(NodeApis.Of(nodes[2]), "xa", new ExportGrantBody("g1", Layers: ["conv", "fc1"]),
            printed, TextWriter.Null, CancellationToken.None));
        var transfer = printed.ToString().Split('\n').Single(l => l.StartsWith("transfer {", StringComparison.Ordinal));
        Assert.Equal($"transfer {{ source = \"{chainId}\", genesis = \"{genesis}\", grant = \"g1\" }}", transfer);
        var importing = await nodes.SubmitAsync(1, Spec("xb", b, transfer), CancellationToken.None);
        Assert.True(importing.Started, importing.Error ?? string.Join("; ", importing.Answers.Select(x => $"{x.Node}: {x.Reason}")));
        var ends = new List<TaskInfo>();
        for (var i = 1; i < 5; i++)
        {
            TaskInfo? info = null;
            await UntilAsync(async () => (info = await nodes.TaskAsync(i, "xb"))?.Progress.State is TaskState.Completed or TaskState.Cancelled or TaskState.Failed,
                $"{nodes.Names[i]}: xb ended");
            Assert.True(info!.Progress.State == TaskState.Completed, $"{nodes.Names[i]}: xb {info.Progress.State}: {info.Progress.Detail}");
            ends.Add(info);
        }
        Assert.Single(ends.Select(e => e.Progress.ModelHash).Distinct());

        // The start every xb site must have used: xb's seeded initial model with xa's final conv and fc1 layers.
        var sourceModel = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(
            Path.Combine(nodes.DataDirectory(1), "tasks", "xa", "model", final!.Progress.ModelHash!))).ToArray();
        using var model = TorchTrainer.Create("smallcnn", 1, 2, 28, 1);
        var start = new float[model.Layout.TotalLength];
        model.GetParameters(start);
        var initialHash = ModelDigest.Hex(start);
        var plan = LayerTransfer.Plan(model.Layout, model.Layout, ["conv", "fc1"], out var problem)!;
        Assert.Equal("", problem);
        for (var k = 0; k < plan.TargetEntries.Count; k++)
        {
            var entry = model.Layout.Entries[plan.TargetEntries[k]];
            sourceModel.AsSpan((int)entry.Offset, (int)entry.Length).CopyTo(start.AsSpan((int)entry.Offset));
        }
        var expected = ModelDigest.Hex(start);
        Assert.NotEqual(initialHash, expected);
        for (var i = 1; i < 5; i++)
        {
            Assert.True(File.Exists(Path.Combine(nodes.DataDirectory(i), "tasks", "xb", "model", expected)),
                $"{nodes.Names[i]} did not start xb from the imported layers ({expected[..12]})");
            Assert.True(File.Exists(Path.Combine(nodes.DataDirectory(i), "tasks", "xb", "model", final.Progress.ModelHash!)),
                $"{nodes.Names[i]} does not hold the imported model");
        }

        // No grant 'g-none' on xa: every member of xa refuses the export, with the reason, and the task does not train.
        var refusedTransfer = $"transfer {{ source = \"{chainId}\", genesis = \"{genesis}\", grant = g-none }}";
        var refused = await nodes.SubmitAsync(1, Spec("xc", b, refusedTransfer), CancellationToken.None);
        Assert.True(refused.Started, refused.Error);
        TaskInfo? waiting = null;
        await UntilAsync(async () => (waiting = await nodes.TaskAsync(4, "xc"))?.Progress.Detail?.Contains("no export permission", StringComparison.Ordinal) == true,
            "node-e: xc shows the refusal");
        Assert.Contains("has no grant 'g-none'", waiting!.Progress.Detail, StringComparison.Ordinal);
        Assert.Equal(TaskState.Running, waiting.Progress.State);
        Assert.Equal(initialHash, waiting.Progress.ModelHash);
    }

    private static string Spec(string id, string[] sites, string transfer) => string.Create(CultureInfo.InvariantCulture, $$"""
        task {
          id = "{{id}}", model = smallcnn, participants = [{{string.Join(", ", sites)}}]
          datasets { {{string.Join(", ", sites.Select(n => n + " = pneumoniamnist"))}} }
          rounds = 1, local-epochs = 1, quorum = 4, round-deadline = 2m, seed = 1
          optimizer { name = adam, learning-rate = 0.001, batch-size = 32 }
          personalization { mode = none }
          {{transfer}}
        }
        """);

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
