using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Swarm.Learning.Training;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using Swarm.Tests.Tasks;

namespace Swarm.Tests.DataVectors;

/// <summary>Three nodes in this process (peer ports 29300-29302, this test's own range) with the real task engine run
/// a data-vector task end to end: smallcnn pinned by the hash of a parameter file in each node's data dir, each node
/// fine-tuning on its share of PneumoniaMNIST's first 240 training images, vectors moved by blob transfer, λ of the
/// validated rule proposed by each node from its validation split and agreed on the chain, merges committed on it.</summary>
[Collection(DataVectorNodeCollection.Name)]
public sealed class DataVectorNodeTests
{
    private const int PeerPortBase = 29300;
    private static readonly string[] Hosts = ["127.0.0.1", "127.0.0.1", "127.0.0.1"];
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Sites_publishing_at_different_times_get_the_same_merged_model_and_a_republished_vector_replaces_the_first()
    {
        await using var nodes = await InProcessNodes.StartAsync(Hosts, PeerPortBase, trainLimit: 240);
        var pretrained = Pin(nodes, channels: 1, classes: 2);
        var wrongShape = Pin(nodes, channels: 3, classes: 2);

        // node-b publishes at once, node-a at once and again 20 s later, node-c only after 15 s: it joins a task
        // whose first merge is on the chain already.
        var submitted = await nodes.SubmitAsync(0, Spec(nodes, "dv-1", pretrained, "schedule { node-a = [0s, 20s], node-c = [15s] }"),
            CancellationToken.None);
        Assert.True(submitted.Started, submitted.Error ?? string.Join("; ", submitted.Answers.Select(a => $"{a.Node}: {a.Reason}")));

        var mergedBeforeC = false;
        var final = new TaskInfo[3];
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            for (var i = 0; i < 3; i++)
            {
                final[i] = (await nodes.TaskAsync(i, "dv-1"))!;
            }
            var a = final[0].Progress;
            Assert.True(final.All(f => f.Progress.State is TaskState.Starting or TaskState.Running),
                string.Join(" | ", final.Select(f => $"{f.Progress.State}: {f.Progress.Detail}")));
            mergedBeforeC |= a.Rounds >= 1 && a.Detail is not null && a.Detail.Contains("counting [", StringComparison.Ordinal) && !a.Detail.Contains("node-c #", StringComparison.Ordinal);
            if (final.All(f => Settled(f.Progress)) && final.Select(f => f.Progress.ModelHash).Distinct().Count() == 1)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the merges did not settle within {Wait}: {string.Join(" | ", final.Select(f => f.Progress.Detail))}");
            await Task.Delay(250);
        }

        // Every node holds the same merged model, over the latest vector of every site (node-a's second replaced its first).
        Assert.True(mergedBeforeC, "no merge was committed before node-c published");
        var hash = final[0].Progress.ModelHash!;
        for (var i = 0; i < 3; i++)
        {
            Assert.Contains("data vectors (validated): 3 counting [node-a #2, node-b #1, node-c #1]", final[i].Progress.Detail, StringComparison.Ordinal);
            // Every merge's λ was proposed by the sites from their validation splits and agreed on the chain.
            Assert.Matches(@"λ 0\.\d+|λ 1(\.\d+)?;", final[i].Progress.Detail);
            var file = Path.Combine(nodes.DataDirectory(i), "tasks", "dv-1", "model", hash);
            Assert.Equal(hash, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))));
            Assert.True(final[i].Progress.Transfers!.Sum(t => t.Bytes) > 0, $"{nodes.Names[i]} fetched no vector");
        }
        // The merges were redone as vectors arrived: node-a holds every merged model it adopted, one per state.
        var merges = Directory.GetFiles(Path.Combine(nodes.DataDirectory(0), "tasks", "dv-1", "model")).Length;
        Assert.True(merges >= 3, $"node-a adopted {merges} merged models; at least 3 vector sets were merged (a+b, +c, a's second)");
        Assert.True(final[0].Progress.Rounds >= 3, $"{final[0].Progress.Rounds} merges committed");

        // A task pinning a model that no node holds is refused at consent, each node naming the missing hash.
        var unknown = new string('0', 64);
        var absent = await nodes.SubmitAsync(0, Spec(nodes, "dv-absent", unknown, ""), CancellationToken.None);
        Assert.False(absent.Started);
        Assert.NotEmpty(absent.Answers);
        Assert.All(absent.Answers, a => Assert.Contains($"has no pre-trained model {unknown}", a.Reason, StringComparison.Ordinal));

        // A task pinning a model of another shape (3 input channels for 1-channel images) is refused by every node
        // with the reason, before it trains anything.
        var refused = await nodes.SubmitAsync(0, Spec(nodes, "dv-shape", wrongShape, ""), CancellationToken.None);
        Assert.True(refused.Started, refused.Error);
        for (var i = 0; i < 3; i++)
        {
            TaskInfo? info = null;
            while ((info = await nodes.TaskAsync(i, "dv-shape"))?.Progress.State != TaskState.Failed)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{nodes.Names[i]}: dv-shape is {info?.Progress.State}: {info?.Progress.Detail}");
                await Task.Delay(200);
            }
            Assert.Contains("it was trained for another model or data shape", info.Progress.Detail, StringComparison.Ordinal);
        }
    }

    /// <summary>Settled: the merge this node holds is the last one committed, no merge is open, and every site
    /// has made all of its publications.</summary>
    private static bool Settled(TaskProgress p) => p.ModelHash is not null && p.Round == p.Rounds
        && p.Detail!.Contains("no merge open", StringComparison.Ordinal) && p.Detail.Contains("[node-a #2, node-b #1, node-c #1]", StringComparison.Ordinal);

    /// <summary>Writes a seeded smallcnn for the given input shape into every node's <c>models</c> folder; its hash.</summary>
    private static string Pin(InProcessNodes nodes, int channels, int classes)
    {
        using var model = TorchTrainer.Create("smallcnn", channels, classes, 28, 7);
        var parameters = new float[model.Layout.TotalLength];
        model.GetParameters(parameters);
        var bytes = MemoryMarshal.AsBytes(parameters.AsSpan()).ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        for (var i = 0; i < nodes.Names.Count; i++)
        {
            var folder = Path.Combine(nodes.DataDirectory(i), PretrainedModels.Folder);
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, hash), bytes);
        }
        return hash;
    }

    private static string Spec(InProcessNodes nodes, string id, string pretrained, string schedule, string rule = "validated") => string.Create(CultureInfo.InvariantCulture, $$"""
        task {
          id = "{{id}}", kind = data-vectors, model = smallcnn, participants = [{{string.Join(", ", nodes.Names)}}]
          datasets { {{string.Join(", ", nodes.Names.Select(n => n + " = pneumoniamnist"))}} }
          local-epochs = 1, seed = 1
          optimizer { name = adam, learning-rate = 0.001, batch-size = 32 }
          personalization { mode = none }
          data-vectors { pretrained = "{{pretrained}}", merge-rule = {{rule}}, vectors-per-merge = 1, {{schedule}} }
        }
        """);
}

/// <summary>The three-node data-vector test trains on every node while consent and PBFT run on the same cores: it runs
/// alone, not beside the other cluster tests, whose consent timeouts it would otherwise stretch on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DataVectorNodeCollection
{
    public const string Name = "DataVectorNodes";
}
