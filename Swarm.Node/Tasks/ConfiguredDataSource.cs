using Swarm.Actors.Training;
using Swarm.Learning.Data;
using Swarm.Node.Configuration;
using Swarm.Node.Simulation;

namespace Swarm.Node.Tasks;

/// <summary>The data sets of <c>data.sets</c>: each a built-in MedMNIST file cut into <c>sites</c> shares exactly as
/// <c>swarm simulate</c> cuts it (<see cref="SiteSplits"/>), of which this node takes share <c>site-index</c>.</summary>
public sealed class ConfiguredDataSource(DataSettings settings) : ITaskDataSource
{
    public string? Problem(string dataset) =>
        settings.Sets.ContainsKey(dataset) ? null : $"data set '{dataset}' is not configured on this node (data.sets.{dataset})";

    public SiteData Load(string dataset)
    {
        var set = settings.Sets.TryGetValue(dataset, out var s) ? s : throw new DataSetException(Problem(dataset)!);
        return Cut(MedMnist.Load(dataset), set);
    }

    /// <summary>Site <c>set.SiteIndex</c> of the partition <c>swarm simulate</c> makes with the same settings.</summary>
    public static SiteData Cut(MedMnistSplits splits, DataSetSettings set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var options = SimulationOptionsOf(set);
        return SiteSplits.Create(SiteSplits.Limit(splits, set.TrainLimit), options)[set.SiteIndex];
    }

    /// <summary>The simulation options whose sites this data set's entry cuts.</summary>
    public static SimulationOptions SimulationOptionsOf(DataSetSettings set) => new()
    {
        Sites = set.Sites,
        Partition = set.Partition switch
        {
            DataPartition.Dirichlet => "dirichlet",
            DataPartition.Hospital => "hospital",
            _ => "iid",
        },
        Alpha = set.Alpha,
        Seed = set.Seed,
        TrainLimit = set.TrainLimit,
    };
}
