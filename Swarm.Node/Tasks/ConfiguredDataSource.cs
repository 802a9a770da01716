using Swarm.Actors.Training;
using Swarm.Learning.Data;
using Swarm.Learning.Training.Zoo;
using Swarm.Node.Configuration;
using Swarm.Node.Data;
using Swarm.Node.Simulation;

namespace Swarm.Node.Tasks;

/// <summary>The data sets of the <c>data</c> section: a built-in MedMNIST file cut into <c>sites</c> shares exactly
/// as <c>swarm simulate</c> cuts it (<see cref="SiteSplits"/>), of which this node takes share <c>site-index</c>
/// (<c>data.sets</c>); the hospital's own MedMNIST-format file (<c>data.npz</c>); or its own folder of images with a
/// labels CSV (<c>data.images</c>). The task's model is built for the entry's channels, image size and classes, so
/// a model that cannot take them is refused at consent, before any file is read.</summary>
public sealed class ConfiguredDataSource(DataSettings settings) : ITaskDataSource
{
    public string? Problem(string dataset, string model)
    {
        var shape = ShapeOf(dataset);
        if (shape is null)
        {
            return $"data set '{dataset}' is not configured on this node (data.sets.{dataset}, data.npz.{dataset} or data.images.{dataset})";
        }
        var (key, channels, side, classes) = shape.Value;
        if (ModelInput.Problem(model, channels, classes, side) is { } problem)
        {
            return $"data set '{dataset}' ({key}: {channels} channel(s), {side}×{side}, {classes} classes) does not fit the task's model: {problem}";
        }
        return settings.Images.TryGetValue(dataset, out var folder) && !Directory.Exists(folder.Folder)
            ? $"data set '{dataset}': the image folder {folder.Folder} does not exist ({key}.folder)"
            : settings.Npz.TryGetValue(dataset, out var npz) && !File.Exists(npz.Path)
                ? $"data set '{dataset}': the file {npz.Path} does not exist ({key}.path)"
                : null;
    }

    public SiteData Load(string dataset)
    {
        if (settings.Sets.TryGetValue(dataset, out var set))
        {
            return Cut(MedMnist.Load(dataset), set);
        }
        if (settings.Npz.TryGetValue(dataset, out var npz))
        {
            return AllOf(NpzImageSet.Load(dataset, npz.Path, npz.Channels, npz.ImageSize, npz.Classes.Count));
        }
        if (settings.Images.TryGetValue(dataset, out var folder))
        {
            return AllOf(ImageFolderSet.Load(dataset, folder));
        }
        throw new DataSetException($"data set '{dataset}' is not configured on this node (data.sets.{dataset}, data.npz.{dataset} or data.images.{dataset})");
    }

    /// <summary>The configuration key of the entry, and the input it gives the task's model; null when none.</summary>
    private (string Key, int Channels, int Side, int Classes)? ShapeOf(string dataset)
    {
        if (settings.Sets.ContainsKey(dataset))
        {
            var info = MedMnistInfo.Find(dataset);
            return ($"data.sets.{dataset}", info.Channels, MedMnistInfo.Side, info.Classes);
        }
        if (settings.Npz.TryGetValue(dataset, out var npz))
        {
            return ($"data.npz.{dataset}", npz.Channels, npz.ImageSize, npz.Classes.Count);
        }
        return settings.Images.TryGetValue(dataset, out var folder)
            ? ($"data.images.{dataset}", folder.Channels, folder.ImageSize, folder.Classes.Count)
            : null;
    }

    /// <summary>An own data set is this node's whole share: no partition is cut from it.</summary>
    private static SiteData AllOf(MedMnistSplits splits) => new(splits.Train, splits.Val, splits.Test);

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
