using Swarm.Learning.Training;

namespace Swarm.Tests.Training;

public sealed class TorchTrainerTests
{
    private static readonly ImageShape Mnist = new(1, 28, 28);

    [Fact]
    public void Layout_entries_tile_the_flat_vector_with_trainable_entries_first()
    {
        using var trainer = TorchTrainer.Create("resnet18", 3, 5, 28, seed: 1);
        var layout = trainer.Layout;
        long offset = 0;
        var seenBuffer = false;
        foreach (var entry in layout.Entries)
        {
            Assert.Equal(offset, entry.Offset);
            Assert.Equal(entry.Shape.Aggregate(1L, (a, d) => a * d), entry.Length);
            Assert.False(seenBuffer && entry.Trainable, $"{entry.Name} is trainable after a buffer");
            seenBuffer |= !entry.Trainable;
            offset += entry.Length;
        }
        Assert.Equal(layout.TotalLength, offset);
        Assert.Contains(layout.Entries, e => e.Name.EndsWith("running_mean", StringComparison.Ordinal) && !e.Trainable);
        // MedMNIST ResNet18 (3x3 stem) with 10 classes has 11,173,962 parameters; 5 classes drop 5 x 513.
        Assert.Equal(11_173_962 - 5 * 513, layout.TrainableLength);
    }

    [Fact]
    public void Smallcnn_layout_has_the_documented_layers()
    {
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2);
        var names = trainer.Layout.Entries.Select(e => e.Name).ToArray();
        Assert.Equal(["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
            "fc2.weight", "fc2.bias"], names);
        Assert.Equal([128, 64 * 7 * 7], trainer.Layout.Entries[4].Shape);
        Assert.True(trainer.SupportsPrivacy);
    }

    [Fact]
    public void Parameters_round_trip_exactly()
    {
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2);
        var values = new float[trainer.Layout.TotalLength];
        var random = new Random(4);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble() - 0.5f;
        }
        trainer.SetParameters(values);
        var back = new float[values.Length];
        trainer.GetParameters(back);
        Assert.Equal(values, back);
    }

    [Fact]
    public void A_subset_of_entries_reads_and_writes_only_those_entries()
    {
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2);
        var layout = trainer.Layout;
        var before = new float[layout.TotalLength];
        trainer.GetParameters(before);
        int[] entries = [7, 2];
        var length = layout.Entries[7].Length + layout.Entries[2].Length;
        var patch = Enumerable.Range(0, (int)length).Select(i => (float)i).ToArray();
        trainer.SetParameters(entries, patch);
        var read = new float[length];
        trainer.GetParameters(entries, read);
        Assert.Equal(patch, read);
        var after = new float[layout.TotalLength];
        trainer.GetParameters(after);
        var fc2Bias = layout.Entries[7];
        Assert.Equal(patch.AsSpan(0, (int)fc2Bias.Length).ToArray(),
            after.AsSpan((int)fc2Bias.Offset, (int)fc2Bias.Length).ToArray());
        var fc1 = layout.Entries[4];
        Assert.Equal(before.AsSpan((int)fc1.Offset, (int)fc1.Length).ToArray(),
            after.AsSpan((int)fc1.Offset, (int)fc1.Length).ToArray());
    }

    [Fact]
    public void Two_runs_with_one_seed_and_thread_count_give_bit_identical_parameters()
    {
        var data = SyntheticImages.Make(96, Mnist, 2, seed: 11);
        var options = new TrainOptions { BatchSize = 32, Seed = 5, Threads = 2 };
        var first = TrainedParameters(seed: 3, data, options);
        var second = TrainedParameters(seed: 3, data, options);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Different_seeds_give_different_parameters()
    {
        var data = SyntheticImages.Make(64, Mnist, 2, seed: 11);
        var options = new TrainOptions { BatchSize = 32, Seed = 5, Threads = 2 };
        var first = TrainedParameters(seed: 3, data, options);
        var otherInit = TrainedParameters(seed: 4, data, options);
        var otherShuffle = TrainedParameters(seed: 3, data, options with { Seed = 6 });
        Assert.NotEqual(first, otherInit);
        Assert.NotEqual(first, otherShuffle);
    }

    [Fact]
    public void Training_lowers_the_loss_and_predictions_are_probabilities()
    {
        var data = SyntheticImages.Make(128, Mnist, 2, seed: 2);
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2, seed: 1);
        var options = new TrainOptions { BatchSize = 32, Threads = 2 };
        var first = trainer.TrainEpoch(data, options);
        var last = first;
        for (var epoch = 0; epoch < 3; epoch++)
        {
            last = trainer.TrainEpoch(data, options with { Seed = (ulong)epoch + 2 });
        }
        Assert.Equal(4, first.Steps);
        Assert.True(last.MeanLoss < first.MeanLoss / 2, $"loss {first.MeanLoss} -> {last.MeanLoss}");
        var probabilities = trainer.Predict(data.Images, data.Shape);
        Assert.Equal(data.Count * 2, probabilities.Length);
        var correct = 0;
        for (var i = 0; i < data.Count; i++)
        {
            Assert.Equal(1.0, probabilities[2 * i] + probabilities[2 * i + 1], 4);
            correct += (probabilities[2 * i + 1] > 0.5f ? 1 : 0) == data.Labels.Span[i] ? 1 : 0;
        }
        Assert.True(correct > data.Count * 9 / 10, $"{correct}/{data.Count} correct");
    }

    private static float[] TrainedParameters(ulong seed, TrainingData data, TrainOptions options)
    {
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2, seed: seed);
        trainer.TrainEpoch(data, options);
        trainer.TrainEpoch(data, options with { Optimizer = OptimizerKind.Sgd, Momentum = 0.9, LearningRate = 0.01 });
        var parameters = new float[trainer.Layout.TotalLength];
        trainer.GetParameters(parameters);
        return parameters;
    }
}
