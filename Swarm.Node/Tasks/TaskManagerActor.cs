using Microsoft.Extensions.Logging;
using Akka.Actor;
using Swarm.Actors.Consensus;
using Swarm.Actors.Platform;
using Swarm.Actors.Tasks;
using Swarm.Actors.Training;
using Swarm.Consensus.Storage;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>
/// A node's task manager (<c>/user/tasks</c>): starts tasks by consent and keeps the node's registry of tasks.
/// Submit: the submitting node checks the spec (well formed, valid, participants in the consortium, id not in
/// use), sends <see cref="CreateTask"/> to every participant's manager and collects the answers. Each participant
/// checks its <see cref="LocalPolicy"/> and its data and answers. When every participant has consented the
/// submitter sends <see cref="StartTask"/> to all, and each starts the task's peer as its child named by the task
/// id; one refusal, or a missing answer at the consent timeout, sends <see cref="AbortTask"/> instead and nobody
/// starts. The submitter decides alone, so every participant gets the same decision. Those decisions are
/// <see cref="ConsentState"/>'s, a pure state machine this actor adapts (it supplies the registry's facts, sends
/// the messages, runs the timers). List, show and cancel ask the running peers (<see cref="GetTaskProgress"/>,
/// <see cref="CancelTask"/>) with a timeout. A peer that stops without having reported a final state (Completed,
/// Cancelled or Failed) is shown Failed with its failure's reason.
/// </summary>
public sealed class TaskManagerActor : SwarmActor
{
    private readonly TaskManagerOptions _options;
    private readonly OrderedDictionary<string, TaskEntry> _tasks = new(StringComparer.Ordinal);
    private readonly ConsentState _consent;
    private readonly Dictionary<string, IActorRef> _submitters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SiteData> _counted = new(StringComparer.Ordinal);
    private readonly SupervisorStrategy _strategy;
    private Exception? _lastPeerFailure;

    public TaskManagerActor(TaskManagerOptions options)
    {
        _options = options;
        _consent = new ConsentState(options.NodeId, options.Policy, options.IsMember, options.ConsentTimeout, options.Samples);
        // A failed task peer is not restarted: its chain replica would rejoin from scratch mid-task. Its failure
        // becomes the task's reason (the Terminated that follows the stop reads it).
        _strategy = new OneForOneStrategy(e =>
        {
            _lastPeerFailure = e;
            if ((e as ReplicaStateException ?? e.InnerException as ReplicaStateException) is { } unreadable)
            {
                Log.LogCritical("{Error}", unreadable.Message);
                _options.OnUnreadableReplicaState?.Invoke(unreadable.Message);
            }
            return Directive.Stop;
        });
    }

    public static Props Props(TaskManagerOptions options) => Akka.Actor.Props.Create(() => new TaskManagerActor(options));

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    /// <summary>Resumes every task this node had started before it stopped: each peer rebuilds its task's state
    /// from the task's chain in the node's store and catches up with the others.</summary>
    protected override void PreStart()
    {
        IReadOnlyList<JournaledTask> journaled;
        IReadOnlyList<JournaledStartDecision> decisions;
        try
        {
            journaled = _options.Journal?.Load() ?? [];
            decisions = _options.Journal?.LoadStartDecisions() ?? [];
        }
        catch (LedgerException e)
        {
            Log.LogError("cannot read the tasks this node had started: {Error}", e.Message);
            return;
        }
        foreach (var task in journaled)
        {
            if (TaskSpecCodec.TryDecode(task.SpecBytes, out var problem) is not { } spec)
            {
                Log.LogError("a task this node had {What} has an unreadable spec ({Problem}); not resumed",
                    task.Started ? "started" : "consented to", problem);
                continue;
            }
            var digest = TaskSpecCodec.Digest(task.SpecBytes);
            var entry = new TaskEntry(spec, task.SpecBytes, digest, task.Submitter)
            {
                State = TaskState.Starting,
                Declarations = task.Started ? task.Declarations : [],
            };
            _tasks[spec.Id] = entry;
            if (_consent.ResumeProblem(spec, task.Submitter) is { } refused)
            {
                // The policy is read again at every start: a task it no longer allows does not run here again.
                entry.State = TaskState.Cancelled;
                entry.Detail = $"not resumed: this node's policy now refuses it: {refused}";
                Log.LogWarning("task {Task}: {Detail}", spec.Id, entry.Detail);
                _options.Audit?.Record("resume", spec.Id, "policy", "refused", refused);
                continue;
            }
            if (!task.Started)
            {
                // Consented before the restart: the submitter's start (resent until acknowledged) is still taken.
                entry.Detail = $"consented; waiting for node '{task.Submitter}' to start it";
                Consent(new ConsentRestored(spec.Id, task.Submitter, digest)
                {
                    Declaration = task.Declarations.FirstOrDefault(d => d.Site == _options.NodeId),
                });
                continue;
            }
            Consent(new StartedRestored(spec.Id, task.Submitter, digest));
            Log.LogInformation("task {Task}: resuming on this node", spec.Id);
            if (_options.Peers is null)
            {
                Fail(entry, "this node has no task engine");
                continue;
            }
            LoadData(entry);
        }
        foreach (var decision in decisions)
        {
            // Started by this node before the restart, not acknowledged by everyone: sent again.
            Consent(new StartDecisionRestored(decision.TaskId, decision.Digest, decision.Unacknowledged) { Declarations = decision.Declarations });
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case SubmitTask submit:
                OnSubmit(submit, Sender);
                break;
            case CreateTask create:
                OnCreate(create);
                break;
            case TaskAnswer answer:
                Consent(new AnswerArrived(answer.From, answer.TaskId, answer.SpecDigest, answer.Consents, answer.Reason) { Declaration = answer.Declaration });
                break;
            case StartTask start:
                Consent(new StartArrived(start.From, start.TaskId, start.SpecDigest) { Declarations = start.Declarations });
                break;
            case StartTaskAck ack:
                Consent(new StartAckArrived(ack.From, ack.TaskId, ack.SpecDigest));
                break;
            case StartResend resend:
                Consent(new StartResendDue(resend.TaskId));
                break;
            case AbortTask abort:
                Consent(new AbortArrived(abort.From, abort.TaskId, abort.SpecDigest, abort.Reason));
                break;
            case ConsentTimedOut timedOut:
                Consent(new ConsentTimeoutPassed(timedOut.TaskId));
                break;
            case StartTimedOut timedOut:
                Consent(new StartTimeoutPassed(timedOut.TaskId, timedOut.Digest));
                break;
            case DataLoaded loaded:
                OnDataLoaded(loaded);
                break;
            case SamplesCounted counted:
                OnCounted(counted);
                break;

            case ListTasks:
                ReplyWithProgress([.. _tasks.Values], Sender, infos => new TaskList(infos));
                break;
            case ListTaskSpecs:
                var specs = _tasks.Values.ToDictionary(e => e.Spec.Id, e => e.Spec, StringComparer.Ordinal);
                ReplyWithProgress([.. _tasks.Values], Sender, infos => new TaskSpecList([.. infos.Select(i => new KnownTaskSpec(specs[i.TaskId], i))]));
                break;
            case ShowTask show when _tasks.TryGetValue(show.TaskId, out var entry):
                ReplyWithProgress([entry], Sender, infos => infos[0]);
                break;
            case ShowTask show:
                Sender.Tell(new TaskNotFound(show.TaskId));
                break;
            case CancelTaskRequest cancel:
                OnCancel(cancel, Sender);
                break;
            case ExportRequest export:
                OnExportRequest(export);
                break;
            case GrantExportRequest grant:
                OnGrantExport(grant, Sender);
                break;
            case ApproveTaskRequest approve:
                OnOperatorDecision(approve.TaskId, new OperatorApproved(approve.TaskId), Sender);
                break;
            case RejectTaskRequest reject:
                OnOperatorDecision(reject.TaskId, new OperatorRejected(reject.TaskId, reject.Reason), Sender);
                break;
            case TaskProgress progress when Sender.Path.Parent.Equals(Self.Path):
                Observe(progress);
                break;
            case ProgressSeen seen:
                foreach (var progress in seen.Progress)
                {
                    Observe(progress);
                }
                break;
            case Terminated terminated:
                OnPeerStopped(terminated.ActorRef);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnSubmit(SubmitTask submit, IActorRef replyTo)
    {
        var spec = TaskSpecCodec.TryDecode(submit.SpecBytes, out var problem);
        if (spec is null)
        {
            replyTo.Tell(SubmitTaskResult.Rejected("", problem));
            return;
        }
        var error = SubmitProblem(spec);
        if (error is not null)
        {
            replyTo.Tell(SubmitTaskResult.Rejected(spec.Id, error));
            return;
        }
        _submitters[spec.Id] = replyTo;
        Consent(new SubmissionOpened(spec, submit.SpecBytes, TaskSpecCodec.Digest(submit.SpecBytes)));
    }

    private string? SubmitProblem(TaskSpec spec)
    {
        var problems = TaskSpecValidator.Problems(spec);
        if (problems.Count > 0)
        {
            return $"task '{spec.Id}' is invalid: {string.Join("; ", problems)}";
        }
        if (_consent.StrangersProblem(spec) is { } strangers)
        {
            return strangers;
        }
        if (_tasks.ContainsKey(spec.Id) || _consent.IsSubmitting(spec.Id))
        {
            return $"task id '{spec.Id}' is already in use on node '{_options.NodeId}' (task ids are never reused)";
        }
        return CapacityProblem();
    }

    private string? CapacityProblem() => _tasks.Count + _consent.PendingSubmissions >= _options.TasksMax
        ? $"node '{_options.NodeId}' already keeps {_options.TasksMax} tasks (the most it keeps)"
        : null;

    /// <summary>The tasks this node takes part in now: each holds a chain (or is about to) and a share of the node.</summary>
    private IReadOnlyList<string> ActiveTaskIds() =>
        [.. _tasks.Values.Where(e => e.State is TaskState.AwaitingApproval or TaskState.Starting or TaskState.Running).Select(e => e.Spec.Id)];

    private void OnCreate(CreateTask create)
    {
        var spec = TaskSpecCodec.TryDecode(create.SpecBytes, out var problem);
        if (spec is null)
        {
            Log.LogWarning("CreateTask from {Node} refused: {Problem}", create.From, problem);
            return;
        }
        // The facts only this node knows ride with the request; the decision is the consent state's.
        var dataProblem = spec.Datasets.TryGetValue(_options.NodeId, out var dataset) ? _options.Data.Problem(dataset, spec.Model) : null;
        dataProblem ??= spec.Participants.Contains(_options.NodeId) ? _options.SpecProblem?.Invoke(spec) : null;
        var arrived = new CreateArrived(create.From, spec, create.SpecBytes, TaskSpecCodec.Digest(create.SpecBytes), _tasks.ContainsKey(spec.Id),
            CapacityProblem() ?? RunningLimit.Problem(_options.NodeId, _options.RunningMax, ActiveTaskIds()), dataProblem);
        if (_options.Samples is null || dataProblem is not null || dataset is null || spec.DataVectors is not null || arrived.IdInUse
            || arrived.CapacityProblem is not null || !_options.Policy.Evaluate(spec, _options.NodeId, create.From).Consents)
        {
            // Nothing to count, or refused whatever the count: decided at once, no data read.
            Consent(arrived);
            return;
        }
        // The sample count this node declares with its consent is its train split for the task: reading and cutting
        // the data set takes seconds, so it is counted off the actor's thread and the decision follows the count.
        var (self, data) = (Self, _options.Data);
        _ = Task.Run(() =>
        {
            try
            {
                var loaded = data.Load(dataset);
                self.Tell(new SamplesCounted(arrived, loaded.Train.Count, null) { Data = loaded });
            }
            catch (Exception e)
            {
                self.Tell(new SamplesCounted(arrived, null, $"cannot count the training samples of data set '{dataset}': {e.Message}"));
            }
        });
    }

    /// <summary>The count is in: the consent decides on it (the registry's facts read again now). The data read for it
    /// is kept for the task's start while the task waits for it, so a consented task is not read twice.</summary>
    private void OnCounted(SamplesCounted counted)
    {
        var id = counted.Create.Spec.Id;
        Consent(counted.Create with
        {
            IdInUse = _tasks.ContainsKey(id),
            CapacityProblem = CapacityProblem() ?? RunningLimit.Problem(_options.NodeId, _options.RunningMax, ActiveTaskIds()),
            DataProblem = counted.Create.DataProblem ?? counted.Problem,
            SampleCount = counted.Count,
        });
        if (counted.Data is not null && (_consent.IsAwaitingStart(id) || _consent.IsAwaitingApproval(id)))
        {
            _counted[id] = counted.Data;
        }
    }

    /// <summary>Steps the consent state and carries out what it decided.</summary>
    private void Consent(ConsentInput input)
    {
        foreach (var output in _consent.Step(input))
        {
            CarryOut(output);
        }
    }

    private void CarryOut(ConsentOutput output)
    {
        switch (output)
        {
            case AskConsent ask:
                ManagerOf(ask.To).Tell(new CreateTask(_options.NodeId, ask.SpecBytes), Self);
                break;
            case SendAnswer answer:
                _options.Audit?.Record("propose", answer.TaskId, $"node:{answer.To}", answer.Consents ? "consented" : "refused", answer.Reason);
                ManagerOf(answer.To).Tell(new TaskAnswer(_options.NodeId, answer.TaskId, answer.Digest, answer.Consents, answer.Reason)
                {
                    Declaration = answer.Declaration,
                }, Self);
                break;
            case ApprovalAwaited held:
                _options.Audit?.Record("propose", held.Spec.Id, $"node:{held.Submitter}", "awaiting-approval");
                _tasks[held.Spec.Id] = new TaskEntry(held.Spec, held.SpecBytes, held.Digest, held.Submitter)
                {
                    State = TaskState.AwaitingApproval,
                    Detail = $"passes this node's policy; waiting for the operator (swarm task approve|reject {held.Spec.Id}) before node '{held.Submitter}' stops waiting",
                };
                break;
            case ApprovalClosed closed when _tasks.TryGetValue(closed.TaskId, out var entry):
                _counted.Remove(closed.TaskId);
                entry.State = closed.Rejected ? TaskState.Rejected : TaskState.Cancelled;
                entry.Detail = closed.Rejected ? $"rejected by the operator: {closed.Reason}" : closed.Reason;
                if (!closed.Rejected)
                {
                    _options.Audit?.Record("propose", closed.TaskId, $"node:{entry.Submitter}", "cancelled", closed.Reason);
                }
                break;
            case SendStart start:
                ManagerOf(start.To).Tell(new StartTask(_options.NodeId, start.TaskId, start.Digest) { Declarations = start.Declarations }, Self);
                break;
            case SendStartAck ack:
                ManagerOf(ack.To).Tell(new StartTaskAck(_options.NodeId, ack.TaskId, ack.Digest), Self);
                break;
            case RecordStartDecision record:
                Journal(j => j.StartDecision(new JournaledStartDecision(record.TaskId, record.Digest, record.Unacknowledged)
                {
                    Declarations = record.Declarations,
                }), record.TaskId);
                break;
            case StartDecisionAcknowledged done:
                Journal(j => j.StartDecision(new JournaledStartDecision(done.TaskId, [], [])), done.TaskId);
                break;
            case StartResendTimer { Start: true } timer:
                Timers.StartSingleTimer(("resend", timer.TaskId), new StartResend(timer.TaskId), _options.StartResendInterval);
                break;
            case StartResendTimer timer:
                Timers.Cancel(("resend", timer.TaskId));
                break;
            case SendAbort abort:
                ManagerOf(abort.To).Tell(new AbortTask(_options.NodeId, abort.TaskId, abort.Digest, abort.Reason), Self);
                break;
            case SubmissionDecided decided when _submitters.Remove(decided.Spec.Id, out var replyTo):
                replyTo.Tell(new SubmitTaskResult(decided.Spec.Id, Convert.ToHexStringLower(decided.Digest), decided.Started, decided.Answers, null));
                break;
            case ConsentGiven given:
                _tasks[given.Spec.Id] = new TaskEntry(given.Spec, given.SpecBytes, given.Digest, given.Submitter)
                {
                    State = TaskState.Starting,
                    Detail = $"consented; waiting for node '{given.Submitter}' to start it",
                };
                // Recorded before the answer leaves, so that a restart does not lose the consent the submitter counts on.
                Journal(j => j.Started(given.Spec.Id, new JournaledTask(given.Submitter, given.SpecBytes, Started: false)
                {
                    Declarations = given.Declaration is { } own ? [own] : [],
                }), given.Spec.Id);
                break;
            case BeginTask begin when _tasks.TryGetValue(begin.TaskId, out var entry):
                entry.Declarations = begin.Declarations;
                Begin(entry);
                break;
            case ForgetTask forget:
                _tasks.Remove(forget.TaskId);
                _counted.Remove(forget.TaskId);
                Journal(j => j.Forgotten(forget.TaskId), forget.TaskId);
                break;
            case ConsentTimer { Start: true } timer:
                Timers.StartSingleTimer(("consent", timer.TaskId), new ConsentTimedOut(timer.TaskId), _options.ConsentTimeout);
                break;
            case ConsentTimer timer:
                Timers.Cancel(("consent", timer.TaskId));
                break;
            case StartTimer { Start: true } timer:
                Timers.StartSingleTimer(("start", timer.TaskId), new StartTimedOut(timer.TaskId, timer.Digest), _options.StartTimeout);
                break;
            case StartTimer timer:
                Timers.Cancel(("start", timer.TaskId));
                break;
            case ConsentNote note:
                Log.Log(note.Level switch { NoteLevel.Warning => LogLevel.Warning, NoteLevel.Information => LogLevel.Information, _ => LogLevel.Debug },
                    "{Note}", note.Text);
                break;
        }
    }

    /// <summary>Writes to the node's task journal; a failed write is logged (the decision still goes out, and is
    /// resent while this node runs, but would not survive a restart).</summary>
    private void Journal(Action<ITaskJournal> write, string taskId)
    {
        if (_options.Journal is not { } journal)
        {
            return;
        }
        try
        {
            write(journal);
        }
        catch (LedgerException e)
        {
            Log.LogError("task {Task}: cannot record it in the node's store: {Error}", taskId, e.Message);
        }
    }

    /// <summary>The submitter started a task this node consented to: record it, load the data, start its peer.</summary>
    private void Begin(TaskEntry entry)
    {
        if (_options.Peers is null)
        {
            Fail(entry, "this node has no task engine");
            return;
        }
        try
        {
            _options.Journal?.Started(entry.Spec.Id, new JournaledTask(entry.Submitter, entry.SpecBytes) { Declarations = entry.Declarations });
        }
        catch (LedgerException e)
        {
            Fail(entry, $"cannot record the task in the node's store: {e.Message}");
            return;
        }
        LoadData(entry);
    }

    private void LoadData(TaskEntry entry)
    {
        entry.Detail = "loading this node's data";
        var (self, id, dataset, data) = (Self, entry.Spec.Id, entry.Spec.Datasets[_options.NodeId], _options.Data);
        if (_counted.Remove(id, out var counted))
        {
            // Read at consent to count its samples: the data the declaration was made from.
            self.Tell(new DataLoaded(id, counted, null));
            return;
        }
        // Reading and cutting a data set takes seconds: off the actor's thread, the result comes back as a message.
        _ = Task.Run(() =>
        {
            try
            {
                self.Tell(new DataLoaded(id, data.Load(dataset), null));
            }
            catch (Exception e)
            {
                self.Tell(new DataLoaded(id, null, $"cannot load data set '{dataset}': {e.Message}"));
            }
        });
    }

    private void OnDataLoaded(DataLoaded loaded)
    {
        if (!_tasks.TryGetValue(loaded.TaskId, out var entry) || entry.State != TaskState.Starting || entry.Peer is not null)
        {
            return; // cancelled while the data loaded
        }
        if (loaded.Data is null)
        {
            Fail(entry, loaded.Error!);
            return;
        }
        try
        {
            var props = _options.Peers!(new TaskLaunch(entry.Spec, entry.SpecBytes, loaded.Data) { Declarations = entry.Declarations });
            entry.Peer = Context.ActorOf(props, entry.Spec.Id);
            Context.Watch(entry.Peer);
            entry.State = TaskState.Running;
            entry.Detail = null;
            Log.LogInformation("task {Task} started on this node", entry.Spec.Id);
        }
        catch (Exception e)
        {
            // Whatever the engine throws fails this task only: a manager that threw would be restarted without its
            // registry and stop every other task's peer.
            Fail(entry, $"the task engine could not start the task: {e.Message}");
        }
    }

    /// <summary>The operator approves or rejects a task that waits for approval; the reply is the task after it.</summary>
    private void OnOperatorDecision(string taskId, ConsentInput decision, IActorRef replyTo)
    {
        if (!_tasks.TryGetValue(taskId, out var entry))
        {
            replyTo.Tell(new TaskNotFound(taskId));
            return;
        }
        if (!_consent.IsAwaitingApproval(taskId))
        {
            replyTo.Tell(new TaskDecisionRefused(taskId, $"task '{taskId}' does not wait for approval on node '{_options.NodeId}' (it is {entry.State}{(entry.Detail is { } d ? $": {d}" : "")})"));
            return;
        }
        Consent(decision);
        replyTo.Tell(InfoOf(_tasks[taskId]));
    }

    private void OnCancel(CancelTaskRequest cancel, IActorRef replyTo)
    {
        if (!_tasks.TryGetValue(cancel.TaskId, out var entry))
        {
            replyTo.Tell(new TaskNotFound(cancel.TaskId));
            return;
        }
        if (_consent.IsAwaitingApproval(cancel.TaskId))
        {
            // Cancelling a task that waits for approval is rejecting it: the submitter learns why.
            OnOperatorDecision(cancel.TaskId, new OperatorRejected(cancel.TaskId, cancel.Reason), replyTo);
            return;
        }
        if (entry.Peer is null)
        {
            if (entry.State == TaskState.Starting)
            {
                Consent(new CancelledBeforeStart(entry.Spec.Id));
                _counted.Remove(entry.Spec.Id);
                Journal(j => j.Forgotten(entry.Spec.Id), entry.Spec.Id);
                entry.State = TaskState.Cancelled;
                entry.Detail = $"cancelled before it started: {cancel.Reason}";
            }
            replyTo.Tell(InfoOf(entry));
            return;
        }
        var (self, peer, info, timeout) = (Self, entry.Peer, InfoOf(entry), _options.ProgressTimeout);
        _ = peer.Ask<TaskProgress>(new CancelTask(cancel.Reason), timeout).ContinueWith(t =>
        {
            var progress = t.IsCompletedSuccessfully ? t.Result : Unanswered(info.Progress, t.Exception);
            if (t.IsCompletedSuccessfully)
            {
                self.Tell(new ProgressSeen([progress]));
            }
            replyTo.Tell(info with { Progress = progress });
        }, TaskScheduler.Default);
    }

    /// <summary>Replies with the entries' infos once every running peer has answered GetTaskProgress or timed out.</summary>
    private void ReplyWithProgress(IReadOnlyList<TaskEntry> entries, IActorRef replyTo, Func<IReadOnlyList<TaskInfo>, object> reply)
    {
        var timeout = _options.ProgressTimeout;
        var self = Self;
        var asks = entries.Select(async entry =>
        {
            var info = InfoOf(entry);
            // A peer that has reported its end is stopping: its report is the answer.
            if (entry.Peer is null || IsFinal(entry.Last))
            {
                return (Info: info, Fresh: false);
            }
            try
            {
                var progress = await entry.Peer.Ask<TaskProgress>(GetTaskProgress.Instance, timeout).ConfigureAwait(false);
                return (Info: info with { Progress = progress }, Fresh: true);
            }
            catch (Exception e)
            {
                // A timeout, a wrong reply, or the peer's StatusFailure: shown, never allowed to lose the answer.
                return (Info: info with { Progress = Unanswered(info.Progress, e) }, Fresh: false);
            }
        }).ToList();
        _ = Task.WhenAll(asks).ContinueWith(t =>
        {
            self.Tell(new ProgressSeen([.. t.Result.Where(r => r.Fresh).Select(r => r.Info.Progress)]));
            replyTo.Tell(reply([.. t.Result.Select(r => r.Info)]));
        }, TaskScheduler.Default);
    }

    private static TaskProgress Unanswered(TaskProgress known, Exception? failure) =>
        known with { Detail = $"the task peer did not answer: {(failure?.InnerException ?? failure)?.Message}" };

    /// <summary>Keeps a peer's report; a final report (Completed, Cancelled, Failed) also settles the task's state, even
    /// when it arrives after the peer has stopped.</summary>
    private void Observe(TaskProgress progress)
    {
        if (!_tasks.TryGetValue(progress.TaskId, out var entry))
        {
            return;
        }
        entry.Last = progress;
        if (entry.Peer is null && IsFinal(progress))
        {
            Settle(entry, progress);
        }
    }

    private void OnPeerStopped(IActorRef peer)
    {
        var entry = _tasks.Values.FirstOrDefault(e => peer.Equals(e.Peer));
        if (entry is null)
        {
            return;
        }
        entry.Peer = null;
        if (IsFinal(entry.Last))
        {
            Settle(entry, entry.Last!);
            return;
        }
        var reason = _lastPeerFailure is { } failure ? $"the task peer failed: {failure.Message}" : "the task peer stopped before the task finished";
        _lastPeerFailure = null;
        Fail(entry, reason);
    }

    private static bool IsFinal(TaskProgress? progress) => progress?.State is TaskState.Completed or TaskState.Cancelled or TaskState.Failed;

    /// <summary>A peer's final report is the task's state on this node.</summary>
    private static void Settle(TaskEntry entry, TaskProgress final)
    {
        entry.State = final.State;
        entry.Detail = final.Detail;
    }

    private void Fail(TaskEntry entry, string reason)
    {
        entry.State = TaskState.Failed;
        entry.Detail = reason;
        Log.LogWarning("task {Task} failed on this node: {Reason}", entry.Spec.Id, reason);
    }

    /// <summary>The entry as the HTTP API shows it: the running peer's last report, or the manager's own record.</summary>
    private static TaskInfo InfoOf(TaskEntry entry)
    {
        var progress = entry.Peer is not null && entry.Last is not null
            ? entry.Last
            : new TaskProgress(entry.Spec.Id, entry.State, entry.Last?.Round ?? 0, entry.Spec.Rounds, entry.Last?.ModelHash,
                entry.Last?.ChainHeight ?? 0, entry.Detail, entry.Last?.Transfers, entry.Last?.EpsilonSpent, LastBlockAt: entry.Last?.LastBlockAt);
        return new TaskInfo(entry.Spec.Id, entry.Submitter, entry.Spec.Participants, Convert.ToHexStringLower(entry.Digest), progress)
        {
            SampleCounts = [.. entry.Declarations.Select(d => new ParticipantSamples(d.Site, d.SampleCount))],
        };
    }

    /// <summary>An importing site asks for an export of a chain: the task's peer here answers it, or this manager says
    /// this node takes no part in that chain.</summary>
    private void OnExportRequest(ExportRequest export)
    {
        var taskId = Swarm.Tasks.TransferSpec.TaskIdOf(export.SourceChainId);
        if (taskId is not null && _tasks.TryGetValue(taskId, out var entry) && entry.Peer is { } peer)
        {
            peer.Forward(export);
            return;
        }
        NodeDirectory.For(Context.System).Resolve(TaskPaths.Peer(export.Requester, export.ImporterTaskId)).Tell(
            new ExportRefused(_options.NodeId, export.ImporterTaskId, export.SourceChainId,
                $"node '{_options.NodeId}' takes no part in chain {export.SourceChainId} (or its task is not running here)"), Self);
    }

    private void OnGrantExport(GrantExportRequest grant, IActorRef replyTo)
    {
        if (!_tasks.TryGetValue(grant.TaskId, out var entry))
        {
            replyTo.Tell(new TaskNotFound(grant.TaskId));
            return;
        }
        if (entry.Peer is not { } peer)
        {
            replyTo.Tell(new ExportGranted(grant.TaskId, "", "", $"task '{grant.TaskId}' is not running on node '{_options.NodeId}' (it is {entry.State}): its chain takes no statements here"));
            return;
        }
        peer.Forward(grant);
    }

    private IActorRef ManagerOf(string nodeId) => NodeDirectory.For(Context.System).Resolve(TaskPaths.Manager(nodeId));

    private sealed class TaskEntry(TaskSpec spec, byte[] specBytes, byte[] digest, string submitter)
    {
        public TaskSpec Spec { get; } = spec;

        public byte[] SpecBytes { get; } = specBytes;

        public byte[] Digest { get; } = digest;

        public string Submitter { get; } = submitter;

        public TaskState State { get; set; }

        public string? Detail { get; set; }

        public IActorRef? Peer { get; set; }

        /// <summary>The last progress the peer reported.</summary>
        public TaskProgress? Last { get; set; }

        /// <summary>Every participant's sample declaration as the start carried them (journaled with the task).</summary>
        public IReadOnlyList<SampleDeclaration> Declarations { get; set; } = [];
    }

    private sealed record ConsentTimedOut(string TaskId);

    private sealed record StartTimedOut(string TaskId, byte[] Digest);

    private sealed record StartResend(string TaskId);

    private sealed record DataLoaded(string TaskId, SiteData? Data, string? Error);

    /// <summary>This node's training samples for a task it was asked to join (null with the reason when the data set
    /// could not be read); the consent decision follows.</summary>
    private sealed record SamplesCounted(CreateArrived Create, long? Count, string? Problem)
    {
        /// <summary>The data read to count (kept for the task's start when it is consented).</summary>
        public SiteData? Data { get; init; }
    }

    private sealed record ProgressSeen(IReadOnlyList<TaskProgress> Progress);
}
