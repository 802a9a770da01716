using Akka.Actor;
using Swarm.Node.Tasks;

namespace Swarm.Node.CrossChain;

/// <summary>Runs <see cref="SimilarTasks"/> for a task of a running node: the tasks and their specs from the node's
/// task manager, this site's validation images for the task from its data source, each candidate's final model from
/// the node's blob folder <c>node.data-dir/tasks/&lt;task-id&gt;/model/&lt;hash&gt;</c>. Off the caller's thread
/// (loading data and scoring take seconds).</summary>
public static class SimilarTasksQuery
{
    /// <param name="taskId">The task a source is sought for.</param>
    /// <param name="manager">The node's task manager.</param>
    /// <param name="askTimeout">How long the manager may take to list its tasks.</param>
    /// <param name="nodeId">This node (its data set for the task is the spec's entry for it).</param>
    /// <param name="dataDir">The node's data directory.</param>
    /// <param name="data">This node's data sets.</param>
    /// <param name="cancellationToken">Cancels the wait for the manager.</param>
    public static async Task<SimilarityAnswer> RunAsync(string taskId, IActorRef manager, TimeSpan askTimeout, string nodeId, string dataDir,
        ITaskDataSource data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(data);
        var known = await manager.Ask<TaskSpecList>(ListTaskSpecs.Instance, askTimeout, cancellationToken).ConfigureAwait(false);
        var target = known.Tasks.FirstOrDefault(t => t.Spec.Id == taskId);
        if (target is null)
        {
            return SimilarityAnswer.NotFound;
        }
        if (!target.Spec.Datasets.TryGetValue(nodeId, out var dataset))
        {
            return new SimilarityAnswer(null, $"node '{nodeId}' is not a participant of task '{taskId}', so it has no data to score sources on");
        }
        return await Task.Run(() =>
        {
            Actors.Training.SiteData site;
            try
            {
                site = data.Load(dataset);
            }
            catch (Exception e)
            {
                return new SimilarityAnswer(null, $"cannot load data set '{dataset}' of task '{taskId}' on node '{nodeId}': {e.Message}");
            }
            var others = known.Tasks.Select(t => new KnownModel(t.Spec, t.Info.Progress.State, t.Info.Progress.ModelHash,
                () => ReadModel(dataDir, t.Spec.Id, t.Info.Progress.ModelHash))).ToList();
            try
            {
                return new SimilarityAnswer(SimilarTasks.Rank(target.Spec, site.Validation, others), null);
            }
            catch (Exception e) when (e is ArgumentException or Learning.Training.TorchException)
            {
                return new SimilarityAnswer(null, $"cannot score sources for task '{taskId}': {e.Message}");
            }
        }, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The model blob's bytes, or null when it is not there (only a SHA-256 hex name is looked up).</summary>
    private static byte[]? ReadModel(string dataDir, string taskId, string? hash)
    {
        if (hash is not { Length: 64 } || !hash.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }
        var path = Path.Combine(dataDir, "tasks", taskId, "model", hash);
        try
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>The report, or why there is none (<see cref="Error"/>), or neither when the node has no such task.</summary>
public sealed record SimilarityAnswer(SimilarityReport? Report, string? Error)
{
    public static SimilarityAnswer NotFound { get; } = new(null, null);
}
