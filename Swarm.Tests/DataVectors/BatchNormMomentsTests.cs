using Swarm.Learning.DataVectors;
using Swarm.Learning.Training;
using Swarm.Tests.Training;

namespace Swarm.Tests.DataVectors;

public sealed class BatchNormMomentsTests
{
    // w (2 trainable), bn.running_mean (1), bn.running_var (1)
    private static readonly ParameterLayout Layout = new(
    [
        new ParameterEntry("w", [2], 0, 2, true),
        new ParameterEntry("bn.running_mean", [1], 2, 1, false),
        new ParameterEntry("bn.running_var", [1], 3, 1, false),
    ], 4);

    [Fact]
    public void Pooled_moments_are_those_of_all_the_sites_images_together()
    {
        float[] merged = [0.5f, -0.5f, 0f, 1f];
        // site a: 1 image-set of 10 with mean 1, variance 2; site b: 30 with mean 3, variance 1
        var pooled = BatchNormMoments.Pool(Layout, merged,
        [
            new SiteMoments("b", 30, [0.5f, -0.5f, 3f, 1f]),
            new SiteMoments("a", 10, [0.5f, -0.5f, 1f, 2f]),
        ]);
        // mean = (10·1 + 30·3)/40 = 2.5; var = (10·(2 + 1.5²) + 30·(1 + 0.5²))/40 = (42.5 + 37.5)/40 = 2
        Assert.Equal([0.5f, -0.5f, 2.5f, 2f], pooled);
    }

    [Fact]
    public void Statistics_of_another_model_are_refused_naming_the_site()
    {
        float[] merged = [0.5f, -0.5f, 0f, 1f];
        var error = Assert.Throws<ArgumentException>(() =>
            BatchNormMoments.Pool(Layout, merged, [new SiteMoments("a", 10, [0.5f, -0.25f, 1f, 2f])]));
        Assert.Contains("site a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resnet18_pairs_each_running_mean_with_its_variance_and_smallcnn_has_none()
    {
        using var resnet = TorchTrainer.Create("resnet18", 1, 2);
        var pairs = BatchNormMoments.Pairs(resnet.Layout);
        Assert.NotEmpty(pairs);
        Assert.All(pairs, p => Assert.Equal(p.Mean.Name.Replace("mean", "var", StringComparison.Ordinal), p.Variance.Name));
        using var small = TorchTrainer.Create("smallcnn", 1, 2);
        Assert.Empty(BatchNormMoments.Pairs(small.Layout));
        Assert.Equal(0, small.ReestimateBatchNorm(SyntheticImages.Make(8, new ImageShape(1, 28, 28), 2, 1)));
    }

    [Fact]
    public void Re_estimation_averages_the_batches_equally_and_leaves_the_weights_alone()
    {
        var shape = new ImageShape(1, 28, 28);
        var half = SyntheticImages.Make(16, shape, 2, 3);
        // The same 16 images twice: with every batch counting equally (momentum 1/k) the statistics equal those of
        // one pass over the 16; an exponential average with momentum 0.1 would not.
        var twice = new TrainingData(
            half.Images.ToArray().Concat(half.Images.ToArray()).ToArray(),
            half.Labels.ToArray().Concat(half.Labels.ToArray()).ToArray(), shape);
        using var once = TorchTrainer.Create("resnet18", 1, 2, seed: 5);
        using var doubled = TorchTrainer.Create("resnet18", 1, 2, seed: 5);
        var before = new float[once.Layout.TotalLength];
        once.GetParameters(before);
        doubled.SetParameters(before);

        Assert.True(once.ReestimateBatchNorm(half, 16) > 0);
        doubled.ReestimateBatchNorm(twice, 16);
        var a = new float[before.Length];
        var b = new float[before.Length];
        once.GetParameters(a);
        doubled.GetParameters(b);

        var trainable = (int)once.Layout.TrainableLength;
        Assert.Equal(before.AsSpan(0, trainable).ToArray(), a.AsSpan(0, trainable).ToArray());
        Assert.NotEqual(before.AsSpan(trainable).ToArray(), a.AsSpan(trainable).ToArray());
        for (var i = trainable; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5f * Math.Max(1f, Math.Abs(a[i])), $"buffer value {i}: {a[i]} vs {b[i]}");
        }
    }
}
