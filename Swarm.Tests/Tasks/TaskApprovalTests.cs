using System.Threading.Channels;
using Swarm.Node.Cli;
using Swarm.Node.Security;
using Swarm.Node.Service;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>Manual approval (policy.approval = manual) on a node started alone, through <c>swarm task</c>: the node
/// is the task's only participant, so its consent, which the submission waits for, is the operator's decision.</summary>
public sealed class TaskApprovalTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _temp = new();
    private string _dir => _temp.Path;
    private readonly Channel<FakeTaskPeer.Event> _events = Channel.CreateUnbounded<FakeTaskPeer.Event>();


    [Fact]
    public async Task With_manual_approval_a_task_waits_listed_as_awaiting_approval_until_swarm_task_approve()
    {
        await using var node = await StartAsync();
        var api = NodeApis.Of(node);
        var output = new StringWriter();

        var submit = TaskCommand.SubmitAsync(api, SoloNode.SpecFile(_dir, "held-1"), output, TextWriter.Null, CancellationToken.None);
        var listed = await AwaitingApprovalAsync(api, "held-1");

        Assert.False(submit.IsCompleted, "the submission was answered before the operator decided");
        Assert.Contains("swarm task approve|reject held-1", listed, StringComparison.Ordinal);
        Assert.False(_events.Reader.TryRead(out _), "the task started before the operator approved it");

        var shown = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await TaskCommand.ApproveAsync(api, "held-1", shown, TextWriter.Null, CancellationToken.None));

        Assert.Contains("state        Starting", shown.ToString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, await submit.WaitAsync(Wait));
        Assert.Contains("task held-1 started", output.ToString(), StringComparison.Ordinal);
        using var timeout = new CancellationTokenSource(Wait);
        var started = await _events.Reader.ReadAsync(timeout.Token);
        Assert.Equal(("solo", "started", "held-1"), (started.Node, started.Kind, started.Launch.Spec.Id));
        var audit = File.ReadAllText(Path.Combine(_dir, AuditLog.FileName));
        Assert.Contains("\"action\":\"approve\",\"task\":\"held-1\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"awaiting-approval\"", audit, StringComparison.Ordinal);

        // A decided task no longer waits: a second approval is refused with the reason.
        var error = new StringWriter();
        Assert.Equal(ExitCodes.Failure, await TaskCommand.ApproveAsync(api, "held-1", TextWriter.Null, error, CancellationToken.None));
        Assert.Contains("task 'held-1' does not wait for approval on node 'solo'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swarm_task_reject_ends_a_waiting_task_and_the_submitter_gets_the_reason()
    {
        await using var node = await StartAsync();
        var api = NodeApis.Of(node);
        var refusal = new StringWriter();

        var submit = TaskCommand.SubmitAsync(api, SoloNode.SpecFile(_dir, "held-2"), TextWriter.Null, refusal, CancellationToken.None);
        await AwaitingApprovalAsync(api, "held-2");
        var shown = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await TaskCommand.RejectAsync(api, "held-2", "not before the ethics board meets", shown, TextWriter.Null, CancellationToken.None));

        Assert.Equal(ExitCodes.Failure, await submit.WaitAsync(Wait));
        Assert.Contains("solo                     refuses: rejected by the operator of node 'solo': not before the ethics board meets", refusal.ToString(), StringComparison.Ordinal);
        Assert.Contains("state        Rejected", shown.ToString(), StringComparison.Ordinal);
        Assert.Contains("detail       rejected by the operator: not before the ethics board meets", shown.ToString(), StringComparison.Ordinal);
        var listed = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await TaskCommand.ListAsync(api, listed, TextWriter.Null, CancellationToken.None));
        Assert.Matches(@"held-2\s+Rejected\s", listed.ToString());
        Assert.False(_events.Reader.TryRead(out _));
        Assert.Contains("\"action\":\"reject\",\"task\":\"held-2\"", File.ReadAllText(Path.Combine(_dir, AuditLog.FileName)), StringComparison.Ordinal);
    }

    /// <summary>Lists the node's tasks until <paramref name="taskId"/> shows AwaitingApproval; returns the listing.</summary>
    private static async Task<string> AwaitingApprovalAsync(NodeApi api, string taskId)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var output = new StringWriter();
            Assert.Equal(ExitCodes.Ok, await TaskCommand.ListAsync(api, output, TextWriter.Null, CancellationToken.None));
            if (System.Text.RegularExpressions.Regex.IsMatch(output.ToString(), $@"{taskId}\s+{TaskState.AwaitingApproval}\s"))
            {
                return output.ToString();
            }
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} never waited for approval:\n{output}");
            await Task.Yield();
        }
    }

    private Task<ClusterNode> StartAsync() => SoloNode.StartWithFakePeersAsync(_dir, _events.Writer, policy => policy with { Approval = ApprovalMode.Manual });

    public void Dispose() => _temp.Dispose();
}
