using Swarm.Learning.Training;
using Swarm.Learning.Transfer;

namespace Swarm.Tests.DataVectors;

public sealed class ChannelAdaptationTests
{
    [Fact]
    public void A_grey_kernel_is_repeated_over_the_channels_divided_by_their_number()
    {
        float[] kernel = [3f, 6f, 9f, 12f]; // [2 out, 1 in, 1, 2]
        var widened = ChannelAdaptation.RepeatInputChannels(kernel, [2, 1, 1, 2], 3);
        Assert.Equal([1f, 2f, 1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f, 3f, 4f], widened);
    }

    [Fact]
    public void On_a_grey_image_copied_into_three_channels_the_adapted_first_layer_gives_the_original_outputs()
    {
        using var grey = TorchTrainer.Create("smallcnn", 1, 2, seed: 3);
        using var colour = TorchTrainer.Create("smallcnn", 3, 2, seed: 4);
        var source = new float[grey.Layout.TotalLength];
        grey.GetParameters(source);
        var target = new float[colour.Layout.TotalLength];
        colour.GetParameters(target);
        var adapted = ChannelAdaptation.Adapt(grey.Layout, source, colour.Layout, target);
        colour.SetParameters(adapted.Parameters);

        Assert.Equal(["conv1.weight"], adapted.ChannelsRepeated);
        Assert.Empty(adapted.Reinitialized);

        var image = Swarm.Tests.Training.SyntheticImages.Make(4, new ImageShape(1, 28, 28), 2, 7);
        var rgb = new float[image.Images.Length * 3];
        var plane = 28 * 28;
        for (var n = 0; n < 4; n++)
        {
            for (var c = 0; c < 3; c++)
            {
                image.Images.Span.Slice(n * plane, plane).CopyTo(rgb.AsSpan(((n * 3) + c) * plane, plane));
            }
        }
        var expected = grey.Predict(image.Images, new ImageShape(1, 28, 28));
        var actual = colour.Predict(rgb, new ImageShape(3, 28, 28));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 4);
        }
    }

    [Fact]
    public void A_head_for_another_number_of_classes_keeps_the_targets_initialisation()
    {
        using var pneumonia = TorchTrainer.Create("smallcnn", 1, 2, seed: 3);
        using var retina = TorchTrainer.Create("smallcnn", 3, 5, seed: 4);
        var source = new float[pneumonia.Layout.TotalLength];
        pneumonia.GetParameters(source);
        var target = new float[retina.Layout.TotalLength];
        retina.GetParameters(target);
        var adapted = ChannelAdaptation.Adapt(pneumonia.Layout, source, retina.Layout, target);

        Assert.Equal(["fc2.weight", "fc2.bias"], adapted.Reinitialized);
        Assert.Equal(["conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias"], adapted.Copied);
        var head = retina.Layout.Entries.Single(e => e.Name == "fc2.weight");
        Assert.Equal(target.AsSpan((int)head.Offset, (int)head.Length).ToArray(),
            adapted.Parameters.AsSpan((int)head.Offset, (int)head.Length).ToArray());
        var fc1 = retina.Layout.Entries.Single(e => e.Name == "fc1.weight");
        var fc1Source = pneumonia.Layout.Entries.Single(e => e.Name == "fc1.weight");
        Assert.Equal(source.AsSpan((int)fc1Source.Offset, (int)fc1Source.Length).ToArray(),
            adapted.Parameters.AsSpan((int)fc1.Offset, (int)fc1.Length).ToArray());
    }

    [Fact]
    public void A_kernel_that_is_not_one_channel_wide_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => ChannelAdaptation.RepeatInputChannels(new float[8], [2, 2, 1, 2], 3));
        Assert.Contains("[2, 2, 1, 2]", error.Message, StringComparison.Ordinal);
    }
}
