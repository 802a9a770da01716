using Swarm.Learning.Training;
using Swarm.Learning.Transfer;

namespace Swarm.Tests.Training;

/// <summary>Transfer from an auxiliary model: the chosen layers (the feature extractor by default) start from it,
/// or are pulled towards it by λ‖w − w_aux‖² in the loss; mismatched shapes are explained, not half-copied.</summary>
public sealed class LayerTransferTests
{
    private static TrainingData Data(int n, int seed)
    {
        var random = new Random(seed);
        var images = new float[n * 28 * 28];
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = (float)random.NextDouble();
        }
        var labels = Enumerable.Range(0, n).Select(i => (long)(i % 2)).ToArray();
        return new TrainingData(images, labels, new ImageShape(1, 28, 28));
    }

    private static float[] Parameters(ITrainer trainer)
    {
        var values = new float[trainer.Layout.TotalLength];
        trainer.GetParameters(values);
        return values;
    }

    private static float[] Entry(ITrainer trainer, string name)
    {
        var entry = trainer.Layout.Entries.Single(e => e.Name == name);
        return [.. Parameters(trainer).AsSpan((int)entry.Offset, (int)entry.Length)];
    }

    [Fact]
    public void Initialize_copies_the_feature_extractor_and_leaves_the_classifier_alone()
    {
        using var source = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 1);
        using var target = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 2);
        var classifierBefore = Entry(target, "fc2.weight");
        var plan = LayerTransfer.Plan(target.Layout, source.Layout, null, out var problem);
        Assert.True(plan is not null, problem);
        Assert.DoesNotContain(plan!.Names, n => n.StartsWith("fc2", StringComparison.Ordinal));
        Assert.Contains("conv1.weight", plan.Names);

        plan.Initialize(target, source.Layout, Parameters(source));
        Assert.Equal(Entry(source, "conv1.weight"), Entry(target, "conv1.weight"));
        Assert.Equal(Entry(source, "fc1.weight"), Entry(target, "fc1.weight"));
        Assert.Equal(classifierBefore, Entry(target, "fc2.weight"));
        Assert.NotEqual(Entry(source, "fc2.weight"), Entry(target, "fc2.weight"));
    }

    [Fact]
    public void Shape_mismatches_are_explained()
    {
        using var source = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 1);
        using var fiveClasses = TorchTrainer.Create("smallcnn", 1, 5, 28, seed: 1);
        using var rgb = TorchTrainer.Create("smallcnn", 3, 2, 28, seed: 1);
        Assert.Null(LayerTransfer.Plan(fiveClasses.Layout, source.Layout, ["fc2."], out var problem));
        Assert.Contains("layer 'fc2.weight' is [2×128] in the auxiliary model and [5×128] here: the output sizes differ", problem);
        Assert.Null(LayerTransfer.Plan(rgb.Layout, source.Layout, null, out problem));
        Assert.Contains("the input channels differ (1 against 3)", problem);
        Assert.Null(LayerTransfer.Plan(source.Layout, source.Layout, ["decoder."], out problem));
        Assert.Contains("no layer of the model matches [decoder.]", problem);
    }

    [Fact]
    public void The_regularizing_mode_keeps_the_chosen_layers_near_the_auxiliary_model()
    {
        using var source = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 1);
        var data = Data(64, 3);
        double Drift(double? lambda)
        {
            using var target = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 2);
            var plan = LayerTransfer.Plan(target.Layout, source.Layout, ["conv1."], out _)!;
            plan.Initialize(target, source.Layout, Parameters(source));
            using var anchor = lambda is { } l ? new TransferAnchor(plan, target.Layout, plan.Extract(source.Layout, Parameters(source)), l) : null;
            for (var epoch = 0; epoch < 3; epoch++)
            {
                target.TrainEpoch(data, new TrainOptions { LearningRate = 1e-2, BatchSize = 16, Seed = (ulong)epoch, Transfer = anchor });
            }
            var after = Entry(target, "conv1.weight");
            var start = Entry(source, "conv1.weight");
            return Math.Sqrt(after.Zip(start, (a, b) => (double)(a - b) * (a - b)).Sum());
        }
        var free = Drift(null);
        var anchored = Drift(10);
        Assert.True(free > 0);
        Assert.True(anchored < free / 2, $"drift with the penalty {anchored}, without {free}");
    }

    [Fact]
    public void Regularizing_transfer_with_dp_sgd_is_refused_by_the_validator()
    {
        using var source = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 1);
        using var target = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 2);
        var plan = LayerTransfer.Plan(target.Layout, source.Layout, null, out _)!;
        using var anchor = new TransferAnchor(plan, target.Layout, plan.Extract(source.Layout, Parameters(source)), 0.1);
        var options = new TrainOptions { Transfer = anchor, Privacy = new DpOptions(1.0, 1.0, 0.5) { ExpectedBatchSize = 8 } };
        var error = Assert.Throws<TorchException>(() => target.TrainEpoch(Data(16, 1), options));
        Assert.Contains("transfer regularization cannot be combined with DP-SGD", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransferAnchor(plan, target.Layout, [], 0));
    }
}
