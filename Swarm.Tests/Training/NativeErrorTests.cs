using Swarm.Learning.Training;

namespace Swarm.Tests.Training;

public sealed class NativeErrorTests
{
    [Fact]
    public void An_unknown_model_name_is_a_torch_exception_naming_the_model()
    {
        var error = Assert.Throws<TorchException>(() => TorchTrainer.Create("alexnet", 1, 2));
        Assert.Equal(TorchStatus.InvalidArgument, error.Status);
        Assert.Contains("unknown model 'alexnet'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parameter_buffer_of_the_wrong_size_is_rejected_with_both_sizes()
    {
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2);
        var error = Assert.Throws<TorchException>(() => trainer.SetParameters(new float[10]));
        Assert.Equal(TorchStatus.InvalidArgument, error.Status);
        Assert.Contains($"holds 10 floats, the layout has {trainer.Layout.TotalLength}", error.Message,
            StringComparison.Ordinal);
        Assert.Throws<TorchException>(() => trainer.GetParameters(new float[trainer.Layout.TotalLength + 1]));
    }

    [Fact]
    public void A_corrupt_torchscript_file_is_an_io_error_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"swarm-corrupt-{Guid.NewGuid():N}.pt");
        File.WriteAllBytes(path, [0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8]);
        try
        {
            var error = Assert.Throws<TorchException>(() => TorchTrainer.Load(path, 2));
            Assert.Equal(TorchStatus.IoError, error.Status);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Images_of_the_wrong_shape_fail_inside_libtorch_without_crashing()
    {
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2);
        var data = SyntheticImages.Make(4, new ImageShape(3, 28, 28), 2, seed: 1);
        var error = Assert.Throws<TorchException>(() => trainer.TrainBatch(data, new TrainOptions()));
        Assert.Equal(TorchStatus.TorchError, error.Status);
        Assert.StartsWith("train batch failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dp_on_a_batchnorm_model_is_refused_with_a_clear_reason()
    {
        using var trainer = TorchTrainer.Create("resnet18", 1, 2);
        Assert.False(trainer.SupportsPrivacy);
        var data = SyntheticImages.Make(2, new ImageShape(1, 8, 8), 2, seed: 1);
        var options = new TrainOptions { Privacy = new DpOptions(1.0, 1.0, 0.5) };
        var error = Assert.Throws<TorchException>(() => trainer.TrainBatch(data, options));
        Assert.Equal(TorchStatus.Unsupported, error.Status);
        Assert.Contains("BatchNorm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_training_options_are_rejected_before_any_step()
    {
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2);
        var data = SyntheticImages.Make(2, new ImageShape(1, 28, 28), 2, seed: 1);
        var error = Assert.Throws<TorchException>(() =>
            trainer.TrainEpoch(data, new TrainOptions { Privacy = new DpOptions(1.0, 1.0, 1.5) }));
        Assert.Contains("sampling rate", error.Message, StringComparison.Ordinal);
    }
}
