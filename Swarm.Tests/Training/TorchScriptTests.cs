using Swarm.Learning.Training;

namespace Swarm.Tests.Training;

public sealed class TorchScriptTests
{
    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny_cnn.pt");

    [Fact]
    public void The_scripted_fixture_loads_with_its_parameter_layout()
    {
        using var trainer = TorchTrainer.Load(FixturePath, 2);
        Assert.Equal(["conv.weight", "conv.bias", "fc.weight", "fc.bias"], trainer.Layout.Entries.Select(e => e.Name));
        Assert.Equal(4 * 9 + 4 + 2 * 64 + 2, trainer.Layout.TotalLength);
        Assert.False(trainer.SupportsPrivacy);
    }

    [Fact]
    public void The_scripted_fixture_trains_and_its_loss_goes_down()
    {
        using var trainer = TorchTrainer.Load(FixturePath, 2);
        var data = SyntheticImages.Make(64, new ImageShape(1, 8, 8), 2, seed: 9);
        var options = new TrainOptions { BatchSize = 16, LearningRate = 0.01, Threads = 2 };
        var first = trainer.TrainEpoch(data, options);
        var last = first;
        for (var epoch = 0; epoch < 5; epoch++)
        {
            last = trainer.TrainEpoch(data, options with { Seed = (ulong)epoch + 2 });
        }
        Assert.True(last.MeanLoss < first.MeanLoss * 0.7, $"loss {first.MeanLoss} -> {last.MeanLoss}");
        var probabilities = trainer.Predict(data.Images, data.Shape);
        Assert.Equal(128, probabilities.Length);
    }
}
