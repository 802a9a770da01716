using Swarm.Tasks;
using System.Globalization;
using Swarm.Node.Simulation;
using Swarm.Node.Tasks;
using Xunit.Abstractions;

namespace Swarm.Tests.Cluster;

/// <summary>A task across four real <c>swarm node</c> processes on loopback (mutual TLS, SQLite stores): submitted
/// to one node, consented by all, trained round by round on each node's own share of PneumoniaMNIST. One node is
/// killed with SIGKILL in round 3 and started again: the others go on with 3 of 4, the restarted node resumes the
/// task from its store, catches up from its peers and ends with the same global model hash as everyone. And a task
/// whose nodes are all killed at once resumes when they come back one by one.</summary>
public sealed class TaskProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Size = 4;
    private const int Victim = 2;
    private const string TaskId = "pneumonia-kill";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(8);
    private readonly LocalCluster _cluster = new(
        Path.Combine(Path.GetTempPath(), "swarm-task-cluster-" + Guid.NewGuid().ToString("N")), Size, peerPortBase: 27900,
        i => string.Create(CultureInfo.InvariantCulture, $$"""
            policy { allowed-datasets = [pneumoniamnist] }
            data.sets.pneumoniamnist { partition = iid, alpha = 0.3, sites = {{Size}}, site-index = {{i}}, seed = 1, train-limit = 1200 }
            training { threads = 1 }
            {{Environment.GetEnvironmentVariable("SWARM_TEST_NODE_EXTRA") ?? ""}}
            """), keep: Environment.GetEnvironmentVariable("SWARM_TEST_KEEP") == "1");

    private static string Spec(IReadOnlyList<string> nodes) => $$"""
        task {
          id = "{{TaskId}}"
          model = smallcnn
          participants = [{{string.Join(", ", nodes)}}]
          datasets { {{string.Join(", ", nodes.Select(n => n + " = pneumoniamnist"))}} }
          rounds = 7
          local-epochs = 1
          optimizer { name = adam, learning-rate = 0.001, batch-size = 64 }
          aggregation { strategy = fedavg }
          partial-share-fraction = 0.5
          quorum = 3
          round-deadline = 2m
          personalization { mode = none, epochs = 0 }
          seed = 1
        }
        """;

    [Fact]
    public async Task A_task_survives_a_node_killed_in_round_three_and_every_node_ends_on_one_model()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var ct = timeout.Token;
        await StartAndSubmitAsync(ct);

        var killedAt = await WaitForAsync(Victim, p => p.Round >= 3 && p.State == TaskState.Running, "the victim in round 3", ct);
        _cluster.Kill(Victim);
        output.WriteLine($"killed {_cluster.Names[Victim]} in round {killedAt.Round} at height {killedAt.ChainHeight}");

        // The others go on without it (3 of 4 close a round).
        var meanwhile = await WaitForAsync(0, p => p.Round >= killedAt.Round + 1, "a round without the victim", ct);
        output.WriteLine($"{_cluster.Names[0]} reached round {meanwhile.Round} while the victim was down");
        _cluster.Start(Victim);
        await _cluster.WaitHealthyAsync(Victim, TimeSpan.FromMinutes(1), ct);

        await AssertEveryNodeEndsOnOneModelAsync(ct);
        Assert.Contains("resuming on this node", _cluster.Output(Victim, 400), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_resumes_after_every_node_is_killed_at_once()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var ct = timeout.Token;
        await StartAndSubmitAsync(ct);

        var killedAt = await WaitForAsync(0, p => p.Round >= 3 && p.State == TaskState.Running, "round 3", ct);
        for (var i = 0; i < Size; i++)
        {
            _cluster.Kill(i);
        }
        output.WriteLine($"killed every node in round {killedAt.Round} at height {killedAt.ChainHeight}");
        for (var i = 0; i < Size; i++)
        {
            // One by one, as operators bring machines back: messages to a node not yet up are lost.
            _cluster.Start(i);
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }

        await AssertEveryNodeEndsOnOneModelAsync(ct);
        Assert.All(Enumerable.Range(0, Size), i => Assert.Contains("resuming on this node", _cluster.Output(i, 400), StringComparison.Ordinal));
    }

    private async Task StartAndSubmitAsync(CancellationToken ct)
    {
        for (var i = 0; i < Size; i++)
        {
            _cluster.Start(i);
        }
        for (var i = 0; i < Size; i++)
        {
            await _cluster.WaitHealthyAsync(i, TimeSpan.FromMinutes(1), ct);
        }
        var (status, body) = await SubmitWhenLinkedAsync(ct);
        Assert.True(status == 201, $"submit answered {status}: {body}");
    }

    private async Task AssertEveryNodeEndsOnOneModelAsync(CancellationToken ct)
    {
        var finals = new List<TaskProgress>();
        for (var i = 0; i < Size; i++)
        {
            finals.Add(await WaitForAsync(i, p => p.State == TaskState.Completed, "completion", ct));
        }
        foreach (var (final, i) in finals.Select((f, i) => (f, i)))
        {
            output.WriteLine($"{_cluster.Names[i]}: {final.State}, round {final.Round}/{final.Rounds}, height {final.ChainHeight}, model {final.ModelHash}");
        }
        Assert.All(finals, f => Assert.Equal(7, f.Round));
        Assert.Single(finals.Select(f => f.ModelHash).Distinct());
        Assert.NotNull(finals[0].ModelHash);
    }

    /// <summary>Submits once the nodes see each other (the consent messages need the links up).</summary>
    private async Task<(int Status, string Body)> SubmitWhenLinkedAsync(CancellationToken ct)
    {
        (int Status, string Body) last = (0, "");
        for (var attempt = 0; attempt < 20; attempt++)
        {
            last = await _cluster.SubmitAsync(0, Spec(_cluster.Names), ct);
            if (last.Status == 201 || !last.Body.Contains("did not answer", StringComparison.Ordinal))
            {
                return last;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        return last;
    }

    private async Task<TaskProgress> WaitForAsync(int node, Func<TaskProgress, bool> condition, string what, CancellationToken ct)
    {
        TaskProgress? last = null;
        try
        {
            while (true)
            {
                if (await _cluster.ShowAsync<TaskInfo>(node, TaskId, TaskJson.Options, ct) is { } info)
                {
                    last = info.Progress;
                    if (condition(last))
                    {
                        return last;
                    }
                    Assert.NotEqual(TaskState.Failed, last.State);
                    Assert.NotEqual(TaskState.Cancelled, last.State);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(300), ct);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"waiting for {what} on {_cluster.Names[node]}; last progress {last}\n"
                + string.Join("\n", Enumerable.Range(0, Size).Select(i => _cluster.Output(i, 30)))
                + "\n" + string.Join("\n", Enumerable.Range(0, Size).Select(i => _cluster.Warnings(i))));
        }
    }

    public void Dispose() => _cluster.Dispose();
}
