using Prometheus;
using Swarm.Node.Tasks;
using Swarm.Tasks;

namespace Swarm.Node.Service;

/// <summary>
/// The node's metrics, kept in a prometheus-net registry of the node's own (two nodes in one process never share
/// series) and written by prometheus-net in the Prometheus text exposition format. Membership and transport
/// series keep the names the hand-written exporter had; task series are labelled with the task id and hold what
/// the node's task peers last reported: rounds finalized on the task's chain, the chain's height, the blobs fetched
/// from peers (count, bytes, seconds) and, for local-DP tasks, the ε this site has spent. Every value is read from
/// the node's state just before a scrape (<see cref="Update"/>), so the registry holds no second copy that could
/// drift.
/// </summary>
public sealed class NodeMetrics
{
    /// <summary>The content type of the text format prometheus-net writes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly Gauge _members;
    private readonly Counter _transportSent;
    private readonly Counter _transportReceived;
    private readonly Counter _transportRejected;
    private readonly Counter _transportDropped;
    private readonly Gauge _incarnation;
    private readonly Gauge _uptime;
    private readonly Gauge _tasks;
    private readonly Gauge _taskRound;
    private readonly Counter _roundsFinalized;
    private readonly Gauge _chainHeight;
    private readonly Counter _blobsFetched;
    private readonly Counter _blobBytes;
    private readonly Counter _blobSeconds;
    private readonly Gauge _epsilonSpent;
    private readonly Gauge _epsilonBudget;

    public NodeMetrics()
    {
        var factory = Metrics.WithCustomRegistry(_registry);
        _members = factory.CreateGauge("swarm_members", "Members of the consortium by cluster status, as this node sees them.", "status");
        _transportSent = factory.CreateCounter("swarm_transport_messages_sent_total", "Actor messages queued to peers.");
        _transportReceived = factory.CreateCounter("swarm_transport_messages_received_total", "Actor messages received from peers and delivered.");
        _transportRejected = factory.CreateCounter("swarm_transport_messages_rejected_total", "Actor messages from peers refused at the edge.");
        _transportDropped = factory.CreateCounter("swarm_transport_messages_dropped_total", "Actor messages not queued (queue full, unknown peer).");
        _incarnation = factory.CreateGauge("swarm_incarnation", "This node's incarnation (one more at every start, kept in its store).", "node");
        _uptime = factory.CreateGauge("swarm_uptime_seconds", "Seconds since the node started.");
        _tasks = factory.CreateGauge("swarm_tasks", "Tasks this node knows, by state.", "state");
        _taskRound = factory.CreateGauge("swarm_task_round", "The round a task's chain is at (its last round once complete).", "task");
        _roundsFinalized = factory.CreateCounter("swarm_task_rounds_finalized_total", "Rounds finalized on the task's chain.", "task");
        _chainHeight = factory.CreateGauge("swarm_chain_height", "Blocks committed on the task's chain, as this node's replica holds it.", "task");
        _blobsFetched = factory.CreateCounter("swarm_blob_transfers_total", "Blobs (updates, models) this node fetched from peers for the task.", "task");
        _blobBytes = factory.CreateCounter("swarm_blob_transfer_bytes_total", "Bytes of the blobs this node fetched from peers for the task.", "task");
        _blobSeconds = factory.CreateCounter("swarm_blob_transfer_seconds_total",
            "Seconds the task's blob fetches took, request to verified last byte, summed (fetches overlap).", "task");
        _epsilonSpent = factory.CreateGauge("swarm_privacy_epsilon_spent", "Epsilon this site has spent in a local-DP task (RDP accountant, at the task's delta).", "task");
        _epsilonBudget = factory.CreateGauge("swarm_privacy_budget_epsilon", "This node's privacy budget per task (policy.privacy-budget-epsilon; 0: none).");
    }

    /// <summary>Sets every series from the node's state as it is now.</summary>
    /// <param name="health">This node and the members as its cluster sees them (<see cref="ClusterNode.HealthAsync"/>).</param>
    /// <param name="transport">Actor messages sent to and received from other members.</param>
    /// <param name="uptime">Time since the node started.</param>
    /// <param name="tasks">The node's tasks and their progress.</param>
    /// <param name="budgetEpsilon">The node's privacy budget per task.</param>
    public void Update(HealthReport health, TransportCounters transport, TimeSpan uptime, IReadOnlyList<TaskInfo> tasks,
        double budgetEpsilon)
    {
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var labels in _members.GetAllLabelValues().ToList())
        {
            _members.WithLabels(labels).Set(0);
        }
        foreach (var group in health.Members.GroupBy(m => m.Status))
        {
            _members.WithLabels(group.Key).Set(group.Count());
        }
        _transportSent.IncTo(transport.Sent);
        _transportReceived.IncTo(transport.Received);
        _transportRejected.IncTo(transport.Rejected);
        _transportDropped.IncTo(transport.Dropped);
        Replace(_incarnation, new Dictionary<string, double> { [health.Node] = health.Incarnation });
        _uptime.Set(uptime.TotalSeconds);
        foreach (var state in Enum.GetValues<TaskState>())
        {
            _tasks.WithLabels(state.ToString()).Set(tasks.Count(t => t.Progress.State == state));
        }
        foreach (var task in tasks)
        {
            UpdateTask(task.TaskId, task.Progress);
        }
        _epsilonBudget.Set(budgetEpsilon);
    }

    /// <summary>Writes every series in the Prometheus text format.</summary>
    public Task WriteAsync(Stream stream, CancellationToken cancellationToken) =>
        _registry.CollectAndExportAsTextAsync(stream, cancellationToken);

    /// <summary>A counter only rises (IncTo ignores a lower value), so a task whose peer has stopped keeps its totals.</summary>
    private void UpdateTask(string id, TaskProgress progress)
    {
        _taskRound.WithLabels(id).Set(progress.Round);
        _roundsFinalized.WithLabels(id).IncTo(RoundsFinalized(progress));
        _chainHeight.WithLabels(id).Set(progress.ChainHeight);
        var transfers = progress.Transfers ?? [];
        _blobsFetched.WithLabels(id).IncTo(transfers.Sum(t => t.Blobs));
        _blobBytes.WithLabels(id).IncTo(transfers.Sum(t => t.Bytes));
        _blobSeconds.WithLabels(id).IncTo(transfers.Sum(t => t.Seconds));
        if (progress.EpsilonSpent is { } epsilon)
        {
            _epsilonSpent.WithLabels(id).Set(epsilon);
        }
    }

    /// <summary>A chain at round r has finalized r − 1 rounds; a completed one all of them (its round stays at the last).</summary>
    public static int RoundsFinalized(TaskProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return progress.State == TaskState.Completed ? progress.Rounds : Math.Max(0, progress.Round - 1);
    }

    /// <summary>Sets the labelled series to <paramref name="values"/> and removes those no longer present (a peer
    /// that left has no phi).</summary>
    private static void Replace(Gauge gauge, IReadOnlyDictionary<string, double> values)
    {
        foreach (var labels in gauge.GetAllLabelValues().ToList())
        {
            if (!values.ContainsKey(labels[0]))
            {
                gauge.RemoveLabelled(labels);
            }
        }
        foreach (var (label, value) in values)
        {
            gauge.WithLabels(label).Set(value);
        }
    }
}
