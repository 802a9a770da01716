using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Learning.Transfer;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>What a node's task engine needs of the model zoo for a cross-chain import: the layers an importing task
/// asks for, and the layout of the source task's model.</summary>
public static class TransferSetup
{
    /// <summary>The layers <paramref name="spec"/>'s import asks for: its prefixes, or the names of the model's feature
    /// extractor (every layer but the classifier) when it names none.</summary>
    public static IReadOnlyList<string> ImportLayers(TaskSpec spec, ImageDataset train)
    {
        if (spec.Transfer?.Layers is { Count: > 0 } layers)
        {
            return layers;
        }
        using var model = TorchTrainer.Create(spec.Model, train.Channels, train.Classes, train.Height, (ulong)spec.Seed);
        return LayerTransfer.FeatureExtractor(model.Layout);
    }

    /// <summary>The layout of <paramref name="source"/>'s model: its zoo model over the shape of the MedMNIST data set its
    /// first participant trained on, or over this site's own data shape when that data set is not a MedMNIST name.</summary>
    public static (ParameterLayout? Layout, string? Problem) SourceLayout(TaskSpec source, ImageDataset own)
    {
        var dataset = source.Datasets.GetValueOrDefault(source.Participants[0]) ?? "";
        var info = MedMnistInfo.All.FirstOrDefault(i => string.Equals(i.Name, dataset, StringComparison.OrdinalIgnoreCase));
        var (channels, classes) = info is null ? (own.Channels, own.Classes) : (info.Channels, info.Classes);
        try
        {
            using var model = TorchTrainer.Create(source.Model, channels, classes, own.Height, (ulong)source.Seed);
            return (model.Layout, null);
        }
        catch (ArgumentException e)
        {
            return (null, $"cannot build the source task's model '{source.Model}' ({channels} channels, {classes} classes): {e.Message}");
        }
    }
}
