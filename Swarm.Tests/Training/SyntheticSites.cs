using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Data;
using Swarm.Learning.Training;

namespace Swarm.Tests.Training;

/// <summary>Small SiteTrainers over SmallCnn and synthetic images, for tests of a site's own behaviour.</summary>
internal static class SyntheticSites
{
    public static readonly ImageShape Shape = new(1, 28, 28);

    public static SiteData Data(int seed)
    {
        ImageDataset Set(int count, int s)
        {
            var data = SyntheticImages.Make(count, Shape, 2, s);
            return new ImageDataset("synthetic", 1, 28, 28, 2, data.Images.ToArray(), data.Labels.ToArray());
        }
        return new SiteData(Set(32, seed), Set(16, 100 + seed), Set(16, 200 + seed));
    }

    public static SiteSettings Settings(IAggregationStrategy? strategy = null) => new(
        new TrainOptions { BatchSize = 16, LearningRate = 1e-3, Seed = 3, Threads = 1 }, LearningRateSchedule.Constant,
        strategy ?? new FedAvg());

    public static TorchTrainer Model() => TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 7);

    public static float[] InitialModel()
    {
        using var model = Model();
        var parameters = new float[model.Layout.TotalLength];
        model.GetParameters(parameters);
        return parameters;
    }

    public static float[] Parameters(ITrainer trainer)
    {
        var parameters = new float[trainer.Layout.TotalLength];
        trainer.GetParameters(parameters);
        return parameters;
    }
}
