using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Data;
using Swarm.Learning.Training;

namespace Swarm.Tests.Training;

/// <summary>Small SiteTrainers over SmallCnn and synthetic images, for tests of a site's own behaviour.</summary>
internal static class SyntheticSites
{
    public static readonly ImageShape Shape = new(1, 28, 28);

    public static SiteData Data(int seed) => new(Dataset(32, seed), Dataset(16, 100 + seed), Dataset(16, 200 + seed));

    /// <summary><paramref name="count"/> synthetic 1×28×28 images of two classes.</summary>
    public static ImageDataset Dataset(int count, int seed)
    {
        var data = SyntheticImages.Make(count, Shape, 2, seed);
        return new ImageDataset("synthetic", 1, 28, 28, 2, data.Images.ToArray(), data.Labels.ToArray());
    }

    public static SiteSettings Settings(IAggregationStrategy? strategy = null) => new(
        new TrainOptions { BatchSize = 16, LearningRate = 1e-3, Seed = 3, Threads = 1 }, LearningRateSchedule.Constant,
        strategy ?? new FedAvg());

    public static TorchTrainer Model() => TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 7);

    public static float[] InitialModel()
    {
        using var model = Model();
        return Parameters(model);
    }

    public static float[] Parameters(ITrainer trainer)
    {
        var parameters = new float[trainer.Layout.TotalLength];
        trainer.GetParameters(parameters);
        return parameters;
    }
}
