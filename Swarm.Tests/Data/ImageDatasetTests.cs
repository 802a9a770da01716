using Swarm.Learning.Data;

namespace Swarm.Tests.Data;

public sealed class ImageDatasetTests
{
    private static ImageDataset Tiny() =>
        new("tiny", 1, 1, 2, 3, [0f, 1f, 10f, 11f, 20f, 21f, 30f, 31f], [2, 0, 2, 1]);

    [Fact]
    public void Subset_copies_images_and_labels_in_the_given_order()
    {
        var subset = Tiny().Subset([3, 0]);

        Assert.Equal(2, subset.Count);
        Assert.Equal([30f, 31f, 0f, 1f], subset.Images);
        Assert.Equal([1L, 2L], subset.Labels);
    }

    [Fact]
    public void Class_counts_count_each_label()
    {
        Assert.Equal([1, 1, 2], Tiny().ClassCounts());
    }

    [Fact]
    public void Image_count_must_match_the_pixel_block()
    {
        var error = Assert.Throws<ArgumentException>(() => new ImageDataset("bad", 1, 2, 2, 2, new float[7], [0, 1]));

        Assert.Contains("do not make 2 images", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_outside_the_classes_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new ImageDataset("bad", 1, 1, 1, 2, new float[2], [0, 2]));
    }

    [Fact]
    public void Subset_index_out_of_range_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tiny().Subset([4]));
    }
}
