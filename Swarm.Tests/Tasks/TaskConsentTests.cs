using Swarm.Tasks;
using System.Threading.Channels;
using Swarm.Consensus.Storage;
using Akka.Actor;
using Akka.TestKit;
using Swarm.Actors.Platform;
using Swarm.Actors.Tasks;
using Swarm.Actors.Training;
using Swarm.Learning.Data;
using Swarm.Node.Tasks;
using Swarm.Tests.Platform;

namespace Swarm.Tests.Tasks;

/// <summary>The consent protocol between task managers on several actor systems joined through the task wire
/// codec, each on Akka.TestKit's test scheduler (timers fire only when a test advances it).</summary>
public sealed class TaskConsentTests : IAsyncLifetime
{
    private static readonly string[] Members = ["a", "b", "c", "x"];
    private static readonly LocalPolicy Open = new(["pneumoniamnist"]);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly CodecNetwork _network = new();
    private readonly List<ActorSystem> _systems = [];
    private readonly Channel<FakeTaskPeer.Event> _events = Channel.CreateUnbounded<FakeTaskPeer.Event>();
    private readonly TaskManagerOptions _defaults = new("", Open, new TinyData(), _ => true, null);
    private readonly Dictionary<ActorSystem, Akka.TestKit.Xunit2.TestKit> _kits = [];

    [Fact]
    public async Task All_participants_consent_and_each_starts_the_task_peer_as_its_child()
    {
        var a = Node("a");
        Node("b");
        Node("c");

        var result = await SubmitAsync(a, Spec("t1", "a", "b", "c"));

        Assert.True(result.Started, result.Error);
        Assert.Equal(["a", "b", "c"], result.Answers.Select(r => r.Node));
        Assert.All(result.Answers, r => Assert.True(r.Consents));
        var starts = await EventsAsync(3);
        Assert.Equal(["a", "b", "c"], starts.Select(s => s.Node).Order());
        Assert.All(starts, s =>
        {
            Assert.Equal("started", s.Kind);
            Assert.Equal(TaskPaths.Peer(s.Node, "t1").ToString(), s.Path);
            Assert.Equal(TaskSpecCodec.Encode(Spec("t1", "a", "b", "c")), s.Launch.SpecBytes);
            Assert.Equal(5, s.Launch.Data.Train.Count);
        });
        Assert.Equal(result.SpecDigest, TaskSpecCodec.DigestHex(starts[0].Launch.SpecBytes));
        Assert.Empty(_network.Problems);
    }

    [Fact]
    public async Task Every_participant_lists_the_running_task_with_its_peers_progress()
    {
        var a = Node("a");
        var b = Node("b");
        await SubmitAsync(a, Spec("t1", "a", "b"));
        await EventsAsync(2);

        var list = await AskAsync<TaskList>(b, ListTasks.Instance);

        var task = Assert.Single(list.Tasks);
        Assert.Equal(("t1", "a", TaskState.Running, 1, 3L), (task.TaskId, task.Submitter, task.Progress.State, task.Progress.Round, task.Progress.ChainHeight));
        Assert.Equal(["a", "b"], task.Participants);
    }

    [Fact]
    public async Task A_refusal_reaches_the_submitter_with_its_reason_and_nobody_starts()
    {
        var a = Node("a");
        var b = Node("b");
        Node("c", _defaults with { Policy = new LocalPolicy(["breastmnist"]) });

        var result = await SubmitAsync(a, Spec("t1", "a", "b", "c"));

        Assert.False(result.Started);
        Assert.Null(result.Error);
        var refusal = Assert.Single(result.Answers, r => !r.Consents);
        Assert.Equal("c", refusal.Node);
        Assert.Equal("data set 'pneumoniamnist' is not allowed on node 'c' (policy.allowed-datasets)", refusal.Reason);
        // The abort reached the consenting participants before the answer reached the submitter's caller.
        Assert.Empty((await AskAsync<TaskList>(a, ListTasks.Instance)).Tasks);
        Assert.Empty((await AskAsync<TaskList>(b, ListTasks.Instance)).Tasks);
        Assert.False(_events.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_participant_without_the_data_set_refuses()
    {
        var a = Node("a");
        Node("b", _defaults with { Data = new TinyData("breastmnist") });

        var result = await SubmitAsync(a, Spec("t1", "a", "b"));

        Assert.False(result.Started);
        Assert.Contains("data set 'pneumoniamnist' is not configured on node b", Assert.Single(result.Answers, r => !r.Consents).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_id_in_use_is_refused_by_the_submitter()
    {
        var a = Node("a");
        Node("b");
        await SubmitAsync(a, Spec("t1", "a", "b"));

        var again = await SubmitAsync(a, Spec("t1", "a", "b"));

        Assert.False(again.Started);
        Assert.Equal("task id 't1' is already in use on node 'a' (task ids are never reused)", again.Error);
    }

    [Fact]
    public async Task A_participant_that_already_has_the_task_id_refuses_it()
    {
        var a = Node("a");
        Node("b");
        var c = Node("c");
        await SubmitAsync(a, Spec("t1", "a", "b"));

        var clash = await SubmitAsync(c, Spec("t1", "b", "c"));

        Assert.False(clash.Started);
        Assert.Equal("task id 't1' is already in use on node 'b'", Assert.Single(clash.Answers, r => !r.Consents).Reason);
    }

    [Fact]
    public async Task A_participant_outside_the_consortium_is_refused_before_anything_is_sent()
    {
        var a = Node("a");

        var result = await SubmitAsync(a, Spec("t1", "a", "zed"));

        Assert.Equal("participants 'zed' are not members of the consortium", result.Error);
    }

    [Fact]
    public async Task Malformed_spec_bytes_are_refused_with_the_codec_problem()
    {
        var a = Node("a");

        var result = await AskAsync<SubmitTaskResult>(a, new SubmitTask([1, 2, 3]));

        Assert.False(result.Started);
        Assert.StartsWith("malformed task spec:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_spec_is_refused_with_the_validator_problems()
    {
        var a = Node("a");

        var result = await SubmitAsync(a, Spec("t1", "a") with { Quorum = 4 });

        Assert.Contains("task.quorum 4 must be in [1, 1]", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_participant_that_does_not_answer_by_the_consent_timeout_stops_the_task()
    {
        var a = Node("a");
        var probe = Probe(a);
        probe.Send(Manager(a), new SubmitTask(TaskSpecCodec.Encode(Spec("t1", "a", "x"))));
        // Once a shows its own consent, the consent timer of the submission and the start timer of that consent run.
        while (await AskAsync<object>(a, new ShowTask("t1")) is not TaskInfo { Progress.State: TaskState.Starting })
        {
            await Task.Delay(10);
        }

        VirtualTimeSystems.Scheduler(a).Advance(_defaults.ConsentTimeout);

        var result = await probe.ExpectMsgAsync<SubmitTaskResult>(Wait, "answer after the consent timeout");
        Assert.False(result.Started);
        Assert.Equal(new ParticipantAnswer("x", false, "no answer within 30s"), Assert.Single(result.Answers, r => !r.Consents));
        Assert.Empty((await AskAsync<TaskList>(a, ListTasks.Instance)).Tasks);
    }

    [Fact]
    public async Task A_start_from_another_node_than_the_submitter_is_ignored_and_an_unstarted_consent_expires()
    {
        Node("a");
        var b = Node("b");
        var bytes = TaskSpecCodec.Encode(Spec("t1", "a", "b"));
        var probe = Probe(b);
        probe.Send(Manager(b), new CreateTask("a", bytes));
        probe.Send(Manager(b), new StartTask("c", "t1", TaskSpecCodec.Digest(bytes)));

        var waiting = await AskAsync<TaskInfo>(b, new ShowTask("t1"));

        Assert.Equal((TaskState.Starting, "consented; waiting for node 'a' to start it"), (waiting.Progress.State, waiting.Progress.Detail));
        VirtualTimeSystems.Scheduler(b).Advance(_defaults.StartTimeout);
        Assert.Equal(new TaskNotFound("t1"), await AskAsync<TaskNotFound>(b, new ShowTask("t1")));
        Assert.False(_events.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Cancel_reaches_the_task_peer_and_returns_its_answer()
    {
        var a = Node("a");
        var b = Node("b");
        await SubmitAsync(a, Spec("t1", "a", "b"));
        await EventsAsync(2);

        var info = await AskAsync<TaskInfo>(b, new CancelTaskRequest("t1", "wrong data"));

        Assert.Equal(TaskState.Cancelled, info.Progress.State);
        var cancelled = Assert.Single(await EventsAsync(1));
        Assert.Equal(("b", "cancelled", "wrong data"), (cancelled.Node, cancelled.Kind, cancelled.Reason));
    }

    [Fact]
    public async Task Cancel_or_show_of_an_unknown_task_says_not_found()
    {
        var a = Node("a");

        Assert.Equal(new TaskNotFound("nope"), await AskAsync<TaskNotFound>(a, new CancelTaskRequest("nope", "why")));
        Assert.Equal(new TaskNotFound("nope"), await AskAsync<TaskNotFound>(a, new ShowTask("nope")));
    }

    [Fact]
    public async Task A_node_without_a_task_engine_shows_the_consented_task_failed_with_that_reason()
    {
        var a = Node("a");
        var b = Node("b", _defaults with { Peers = null }, engine: false);

        var result = await SubmitAsync(a, Spec("t1", "a", "b"));

        Assert.True(result.Started);
        var info = await AskAsync<TaskInfo>(b, new ShowTask("t1"));
        Assert.Equal((TaskState.Failed, "this node has no task engine"), (info.Progress.State, info.Progress.Detail));
    }

    [Fact]
    public async Task An_engine_that_throws_fails_only_that_task()
    {
        var a = Node("a", _defaults with { Peers = _ => throw new NotSupportedException("no accelerator") }, engine: false);

        Assert.True((await SubmitAsync(a, Spec("t1", "a"))).Started);

        var info = await EventuallyAsync(a, "t1", i => i.Progress.State == TaskState.Failed);
        Assert.Equal("the task engine could not start the task: no accelerator", info.Progress.Detail);
        Assert.True((await SubmitAsync(a, Spec("t2", "a"))).Started);
        Assert.Equal(["t1", "t2"], (await AskAsync<TaskList>(a, ListTasks.Instance)).Tasks.Select(t => t.TaskId));
    }

    [Fact]
    public async Task A_peer_that_reports_its_end_and_stops_shows_Completed()
    {
        var a = Node("a");
        await SubmitAsync(a, Spec("t1", "a"));
        var started = Assert.Single(await EventsAsync(1));

        var peer = started.Peer;
        var probe = Probe(a);
        probe.Watch(peer);

        peer.Tell("finish");

        // The report reached the manager before the peer stopped.
        await probe.ExpectTerminatedAsync(peer, Wait, "the finished peer stops");
        var info = await AskAsync<TaskInfo>(a, new ShowTask("t1"));
        Assert.Equal((TaskState.Completed, 5, 9L, "done"), (info.Progress.State, info.Progress.Round, info.Progress.ChainHeight, info.Progress.Detail));
    }

    [Fact]
    public async Task A_task_peer_that_fails_shows_Failed_with_the_failure()
    {
        var a = Node("a");
        await SubmitAsync(a, Spec("t1", "a"));
        var started = Assert.Single(await EventsAsync(1));
        var probe = Probe(a);
        var peer = started.Peer;
        probe.Watch(peer);

        peer.Tell("crash");

        await probe.ExpectTerminatedAsync(peer, Wait, "the failed peer stops");
        var info = await EventuallyAsync(a, "t1", i => i.Progress.State == TaskState.Failed);
        Assert.Equal("the task peer failed: the engine exploded", info.Progress.Detail);
    }

    /// <summary>Issue 12, finding 5: the submitter resends the start until the participant acknowledges it.
    /// Before, the one start was lost and the participant forgot the task at its start timeout while the submitter
    /// reported it started.</summary>
    [Fact]
    public async Task A_participant_that_misses_the_first_start_starts_the_task_when_the_submitter_resends_it()
    {
        var a = Node("a");
        var b = Node("b");
        var sent = 0;
        _network.Drop = (_, to, message) => message is StartTask && to == "b" && Interlocked.Increment(ref sent) == 1;

        Assert.True((await SubmitAsync(a, Spec("t1", "a", "b"))).Started);
        Assert.Equal("a", Assert.Single(await EventsAsync(1)).Node);
        Assert.Equal(TaskState.Starting, (await AskAsync<TaskInfo>(b, new ShowTask("t1"))).Progress.State);

        VirtualTimeSystems.Scheduler(a).Advance(_defaults.StartResendInterval);

        Assert.Equal("b", Assert.Single(await EventsAsync(1)).Node);
        Assert.Equal(2, sent);
        // Acknowledged: further resend periods send nothing, and b starts once.
        await AskAsync<TaskInfo>(a, new ShowTask("t1"));
        VirtualTimeSystems.Scheduler(a).Advance(_defaults.StartResendInterval * 3);
        await AskAsync<TaskInfo>(a, new ShowTask("t1"));
        Assert.Equal(2, sent);
        Assert.False(_events.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_participant_whose_node_restarts_after_consenting_still_starts_the_task()
    {
        var a = Node("a");
        var bOptions = _defaults with { Journal = new StoreTaskJournal(new InMemoryLedgerStore("b")) };
        var b = Node("b", bOptions);
        _network.Drop = (_, to, message) => message is StartTask && to == "b";

        Assert.True((await SubmitAsync(a, Spec("t1", "a", "b"))).Started);
        await EventsAsync(1);
        await RestartManagerAsync(b, "b", bOptions);
        Assert.Equal(TaskState.Starting, (await AskAsync<TaskInfo>(b, new ShowTask("t1"))).Progress.State);
        _network.Drop = null;

        VirtualTimeSystems.Scheduler(a).Advance(_defaults.StartResendInterval);

        Assert.Equal("b", Assert.Single(await EventsAsync(1)).Node);
    }

    [Fact]
    public async Task A_submitter_restarted_after_deciding_resends_the_start_from_its_journal()
    {
        var aOptions = _defaults with { Journal = new StoreTaskJournal(new InMemoryLedgerStore("a")) };
        var a = Node("a", aOptions);
        Node("b");
        _network.Drop = (_, to, message) => message is StartTask && to == "b";

        Assert.True((await SubmitAsync(a, Spec("t1", "a", "b"))).Started);
        await EventsAsync(1);
        _network.Drop = null;
        await RestartManagerAsync(a, "a", aOptions);

        // a resumes its own part, and its start reaches b without waiting for a resend period.
        Assert.Equal(["a", "b"], (await EventsAsync(2)).Select(e => e.Node).Order());
    }

    [Fact]
    public async Task A_participant_refuses_a_submitter_a_co_participant_and_a_batch_size_its_policy_forbids_naming_the_key()
    {
        var a = Node("a");
        Node("b", _defaults with { Policy = Open with { AllowedSubmitters = ["c"] } });
        Node("c", _defaults with { Policy = Open with { AllowedCoParticipants = ["a"], MinBatchSize = 64 } });

        var bySubmitter = await SubmitAsync(a, Spec("t1", "a", "b"));
        var byCoParticipant = await SubmitAsync(a, Spec("t2", "a", "b", "c"));
        var byBatch = await SubmitAsync(a, Spec("t3", "a", "c") with { Optimizer = new OptimizerSpec(BatchSize: 1) });

        // The submitter is the node the authenticated link names, never a field it writes itself.
        Assert.Equal("node 'b' does not take tasks submitted by 'a' (policy.allowed-submitters = [c])", Assert.Single(bySubmitter.Answers, r => !r.Consents).Reason);
        Assert.Equal("node 'c' does not train with 'b' (policy.allowed-co-participants = [a])", Assert.Single(byCoParticipant.Answers, r => r.Node == "c").Reason);
        Assert.Equal("task's batch size 1 is below node 'c''s minimum 64 (policy.min-batch-size)", Assert.Single(byBatch.Answers, r => !r.Consents).Reason);
        Assert.All(new[] { bySubmitter, byCoParticipant, byBatch }, r => Assert.False(r.Started));
        Assert.False(_events.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_task_the_tightened_policy_refuses_is_not_resumed_after_a_restart_and_says_why()
    {
        var a = Node("a");
        var bOptions = _defaults with { Journal = new StoreTaskJournal(new InMemoryLedgerStore("b")) };
        var b = Node("b", bOptions);
        Assert.True((await SubmitAsync(a, Spec("t1", "a", "b"))).Started);
        await EventsAsync(2);

        // The operator raises the minimum batch size (the task trains with 128) and restarts the node.
        await RestartManagerAsync(b, "b", bOptions with { Policy = Open with { MinBatchSize = 256 } });

        var shown = await AskAsync<TaskInfo>(b, new ShowTask("t1"));
        Assert.Equal(TaskState.Cancelled, shown.Progress.State);
        Assert.Equal("not resumed: this node's policy now refuses it: task's batch size 128 is below node 'b''s minimum 256 (policy.min-batch-size)",
            shown.Progress.Detail);
        Assert.False(_events.Reader.TryRead(out _), "the refused task's peer started again");
    }

    [Fact]
    public async Task A_consent_the_tightened_policy_refuses_is_not_restored_after_a_restart()
    {
        var a = Node("a");
        var bOptions = _defaults with { Journal = new StoreTaskJournal(new InMemoryLedgerStore("b")) };
        var b = Node("b", bOptions);
        _network.Drop = (_, to, message) => message is StartTask && to == "b";
        Assert.True((await SubmitAsync(a, Spec("t1", "a", "b"))).Started);
        await EventsAsync(1);

        await RestartManagerAsync(b, "b", bOptions with { Policy = Open with { AllowedCoParticipants = ["c"] } });

        var shown = await AskAsync<TaskInfo>(b, new ShowTask("t1"));
        Assert.Equal(TaskState.Cancelled, shown.Progress.State);
        Assert.Contains("(policy.allowed-co-participants = [c])", shown.Progress.Detail, StringComparison.Ordinal);
    }

    /// <summary>Issue 12, finding 4: a chain whose stored consensus state does not decode must stop the node (exit
    /// code 4 in <c>swarm node</c>), not just fail that task: a replica without it could vote twice.</summary>
    [Fact]
    public async Task A_task_peer_whose_stored_replica_state_is_unreadable_stops_the_node_with_the_reason()
    {
        var reported = new TaskCompletionSource<string>();
        var a = Node("a", _defaults with
        {
            Peers = _ => Props.Create(() => new UnreadableStatePeer()),
            OnUnreadableReplicaState = message => reported.TrySetResult(message),
        }, engine: false);

        Assert.True((await SubmitAsync(a, Spec("t1", "a"))).Started);

        Assert.Equal(UnreadableStatePeer.Reason, await reported.Task.WaitAsync(Wait));
        // Any other failure of a peer fails only its task (A_task_peer_that_fails_shows_Failed_with_the_failure).
    }

    private sealed class UnreadableStatePeer : ReceiveActor
    {
        public const string Reason = "replica 0 of chain task/t1/00: the stored hard state (3 bytes) cannot be read (truncated)";

        protected override void PreStart() => throw new Swarm.Actors.Consensus.ReplicaStateException(Reason);
    }

    /// <summary>Stops a node's task manager (its task peers with it) and starts a new one from the same options, as
    /// a restarted node would.</summary>
    private async Task RestartManagerAsync(ActorSystem system, string id, TaskManagerOptions options)
    {
        var manager = await system.ActorSelection("/user/" + TaskPaths.ManagerName).ResolveOne(Wait);
        var probe = Probe(system);
        probe.Watch(manager);
        system.Stop(manager);
        await probe.ExpectTerminatedAsync(manager, Wait, "the old task manager stops");
        var chosen = options with
        {
            NodeId = id,
            IsMember = Members.Contains,
            Peers = launch => Props.Create(() => new FakeTaskPeer(id, launch, _events.Writer)),
        };
        // The watcher hears Terminated before the user guardian has released the child's name (Akka frees it when
        // the guardian processes the death notification), so the new manager may find the name taken for a moment.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            try
            {
                system.ActorOf(TaskManagerActor.Props(chosen), TaskPaths.ManagerName);
                return;
            }
            catch (InvalidActorNameException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
        }
    }

    private ActorSystem Node(string id, TaskManagerOptions? options = null, bool engine = true)
    {
        var system = VirtualTimeSystems.Create(id);
        _systems.Add(system);
        _kits[system] = new Akka.TestKit.Xunit2.TestKit(system);
        _network.Join(system);
        var chosen = (options ?? _defaults) with { NodeId = id, IsMember = Members.Contains };
        if (engine)
        {
            chosen = chosen with { Peers = launch => Props.Create(() => new FakeTaskPeer(id, launch, _events.Writer)) };
        }
        system.ActorOf(TaskManagerActor.Props(chosen), TaskPaths.ManagerName);
        return system;
    }

    private static IActorRef Manager(ActorSystem system) => NodeDirectory.For(system).Resolve(TaskPaths.Manager(system.Name));

    private TestProbe Probe(ActorSystem system) => _kits[system].CreateTestProbe();

    private Task<SubmitTaskResult> SubmitAsync(ActorSystem submitter, TaskSpec spec) =>
        AskAsync<SubmitTaskResult>(submitter, new SubmitTask(TaskSpecCodec.Encode(spec)));

    private async Task<T> AskAsync<T>(ActorSystem system, object message)
    {
        var probe = Probe(system);
        probe.Send(Manager(system), message);
        return await probe.ExpectMsgAsync<T>(Wait, $"answer of {system.Name}'s task manager to {message.GetType().Name}");
    }

    private async Task<List<FakeTaskPeer.Event>> EventsAsync(int count)
    {
        var events = new List<FakeTaskPeer.Event>();
        using var timeout = new CancellationTokenSource(Wait);
        while (events.Count < count)
        {
            events.Add(await _events.Reader.ReadAsync(timeout.Token));
        }
        return events;
    }

    /// <summary>Shows the task until <paramref name="done"/> holds (the manager learns of a peer's stop
    /// asynchronously); fails naming the last state after the wait.</summary>
    private async Task<TaskInfo> EventuallyAsync(ActorSystem system, string taskId, Func<TaskInfo, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var info = await AskAsync<TaskInfo>(system, new ShowTask(taskId));
            if (done(info))
            {
                return info;
            }
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} on {system.Name} still {info.Progress.State}: {info.Progress.Detail}");
            await Task.Yield();
        }
    }

    private static TaskSpec Spec(string id, params string[] participants) => new()
    {
        Id = id,
        Model = "smallcnn",
        Participants = participants,
        Datasets = participants.ToDictionary(p => p, _ => "pneumoniamnist"),
        Rounds = 5,
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var system in _systems)
        {
            await system.Terminate().WaitAsync(Wait);
        }
    }

    /// <summary>Five 2×2 images per split, for the data sets it is given.</summary>
    private sealed class TinyData(params string[] sets) : ITaskDataSource
    {
        private readonly string[] _sets = sets.Length == 0 ? ["pneumoniamnist"] : sets;

        public string? Problem(string dataset, string model) => _sets.Contains(dataset) ? null : $"data set '{dataset}' is not configured on node b";

        public SiteData Load(string dataset)
        {
            var images = new ImageDataset(dataset, 1, 2, 2, 2, new float[5 * 4], [0, 1, 0, 1, 0]);
            return new SiteData(images, images, images);
        }
    }
}
