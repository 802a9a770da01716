using Swarm.Learning.Data;
using Swarm.Learning.Data.Numpy;

namespace Swarm.Tests.Data;

public sealed class MedMnistTests
{
    [Theory]
    [InlineData("pneumoniamnist", 4708, 524, 624, 1, 2)]
    [InlineData("breastmnist", 546, 78, 156, 1, 2)]
    [InlineData("retinamnist", 1080, 120, 400, 3, 5)]
    public void Official_splits_load_with_their_published_sizes(string name, int train, int val, int test, int channels, int classes)
    {
        var splits = MedMnist.Load(name);

        Assert.Equal([train, val, test], new[] { splits.Train.Count, splits.Val.Count, splits.Test.Count });
        foreach (var set in new[] { splits.Train, splits.Val, splits.Test })
        {
            Assert.Equal(channels, set.Channels);
            Assert.Equal(classes, set.Classes);
            Assert.Equal((28, 28), (set.Height, set.Width));
            Assert.Equal((long)set.Count * channels * 28 * 28, set.Images.LongLength);
            Assert.All(set.ClassCounts(), count => Assert.True(count > 0));
        }
    }

    [Fact]
    public void Pixels_are_scaled_like_torchvision_to_tensor_then_normalize()
    {
        Assert.Equal(-1f, PixelNormalizer.Normalize(0));
        Assert.Equal(1f, PixelNormalizer.Normalize(255));
        Assert.Equal(((128 / 255f) - 0.5f) / 0.5f, PixelNormalizer.Normalize(128));
    }

    [Fact]
    public void Grey_images_keep_their_pixel_order_and_labels_are_flattened()
    {
        var info = MedMnistInfo.Find("pneumoniamnist");
        var path = MedMnist.Locate(info);
        using var archive = NpzArchive.Open(path);
        var raw = archive.Read("val_images").AsUInt8();
        var rawLabels = archive.Read("val_labels");

        var val = MedMnist.Load("pneumoniamnist").Val;

        Assert.Equal([524L, 1L], rawLabels.Shape);
        Assert.Equal(rawLabels.AsUInt8().ToArray().Select(b => (long)b), val.Labels);
        for (var i = 0; i < raw.Length; i += 97)
        {
            Assert.Equal(PixelNormalizer.Normalize(raw[i]), val.Images[i]);
        }
    }

    [Fact]
    public void Rgb_images_are_moved_from_channels_last_to_channels_first()
    {
        var info = MedMnistInfo.Find("retinamnist");
        using var archive = NpzArchive.Open(MedMnist.Locate(info));
        var raw = archive.Read("test_images").AsUInt8();

        var test = MedMnist.Load("retinamnist").Test;

        foreach (var (n, h, w, c) in new[] { (0, 0, 0, 0), (3, 14, 9, 1), (399, 27, 27, 2), (250, 5, 20, 2) })
        {
            var source = raw[(((((n * 28) + h) * 28) + w) * 3) + c];
            var target = test.Images[(((((n * 3) + c) * 28) + h) * 28) + w];
            Assert.Equal(PixelNormalizer.Normalize(source), target);
        }
    }

    [Fact]
    public void Unknown_data_set_name_lists_the_known_ones()
    {
        var error = Assert.Throws<DataSetException>(() => MedMnist.Load("chestmnist"));

        Assert.Contains("unknown MedMNIST data set 'chestmnist'", error.Message, StringComparison.Ordinal);
        Assert.Contains("pneumoniamnist, breastmnist, retinamnist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checksum_mismatch_is_detected_and_names_the_file()
    {
        var info = MedMnistInfo.Find("breastmnist");
        var copy = Path.Combine(Path.GetTempPath(), $"swarm-test-{Guid.NewGuid():N}-breastmnist.npz");
        try
        {
            var bytes = File.ReadAllBytes(MedMnist.Locate(info));
            bytes[bytes.Length / 2] ^= 0x01;
            File.WriteAllBytes(copy, bytes);

            var error = Assert.Throws<DataSetException>(() => MedMnist.LoadFile(copy, info));

            Assert.StartsWith(copy, error.Message, StringComparison.Ordinal);
            Assert.Contains("checksum mismatch", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void Shipped_files_match_the_pinned_checksums()
    {
        foreach (var info in MedMnistInfo.All)
        {
            MedMnist.VerifyChecksum(MedMnist.Locate(info), info);
        }
    }

    [Fact]
    public void Data_files_are_copied_next_to_the_test_assembly()
    {
        foreach (var info in MedMnistInfo.All)
        {
            Assert.Equal(Path.Combine(AppContext.BaseDirectory, "data", "medmnist", info.FileName), MedMnist.Locate(info));
        }
    }
}
