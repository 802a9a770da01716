using Swarm.Actors.Training;

namespace Swarm.Node.Tasks;

/// <summary>Where a node's data sets come from: the task manager refuses a task whose data set this node does not
/// have or whose model does not fit it, and loads the site's data when the task starts.</summary>
public interface ITaskDataSource
{
    /// <summary>Why <paramref name="dataset"/> cannot be used on this node to train <paramref name="model"/>, or null
    /// when it can. Cheap: no image is read.</summary>
    string? Problem(string dataset, string model);

    /// <summary>This node's data for <paramref name="dataset"/>; may take seconds (files are read and cut).</summary>
    SiteData Load(string dataset);
}
