using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Swarm.Learning.Data;
using Swarm.Node.Configuration;
using Swarm.Node.Data;
using Swarm.Node.Tasks;

namespace Swarm.Tests.Data;

/// <summary>A hospital's own data: a folder of PNG images with a labels CSV, or its own MedMNIST-format npz file, read
/// into the splits a task trains on, and every bad file refused with a message naming it.</summary>
public sealed class ImageFolderSetTests : IDisposable
{
    private readonly ImageFolderFixture _images = new();

    [Fact]
    public void A_folder_of_png_images_loads_into_seeded_stratified_splits_of_the_declared_shape()
    {
        _images.WriteClasses(10);

        var splits = ImageFolderSet.Load("xray", _images.Entry());

        Assert.Equal((6, 2, 2), (splits.Train.ClassCounts()[0], splits.Val.ClassCounts()[0], splits.Test.ClassCounts()[0]));
        Assert.Equal((6, 2, 2), (splits.Train.ClassCounts()[1], splits.Val.ClassCounts()[1], splits.Test.ClassCounts()[1]));
        Assert.Equal((1, 28, 28, 2), (splits.Train.Channels, splits.Train.Height, splits.Train.Width, splits.Train.Classes));
        // Dark images are class 0 (normal), bright ones class 1, normalized like MedMNIST to [-1, 1].
        for (var i = 0; i < splits.Train.Count; i++)
        {
            Assert.Equal(splits.Train.Labels[i] == 1, splits.Train.Image(i)[0] > 0);
        }
        var again = ImageFolderSet.Load("xray", _images.Entry());
        Assert.Equal(splits.Val.Images, again.Val.Images);
    }

    [Fact]
    public void Rgb_images_become_grey_for_a_one_channel_entry_and_larger_ones_are_cropped_to_the_input()
    {
        _images.WriteClasses(5, side: 40, rgb: true);

        var splits = ImageFolderSet.Load("xray", _images.Entry(ImageResize.Crop));

        Assert.Equal((1, 28, 28), (splits.Train.Channels, splits.Train.Height, splits.Train.Width));
        var rgb = ImageFolderSet.Load("xray", _images.Entry(ImageResize.Stretch, channels: 3));
        Assert.Equal(3 * 28 * 28, rgb.Train.ImageSize);
    }

    [Fact]
    public void A_jpeg_image_in_the_folder_loads_like_a_png()
    {
        var rows = _images.WriteClasses(5);
        using (var jpeg = new Image<L8>(28, 28, new L8(230)))
        {
            jpeg.SaveAsJpeg(Path.Combine(_images.Folder, "extra.jpg"));
        }
        _images.WriteLabels("file,label", rows.Append("extra.jpg,pneumonia"));

        var splits = ImageFolderSet.Load("xray", _images.Entry());

        Assert.Equal(11, splits.Train.Count + splits.Val.Count + splits.Test.Count);
        Assert.Equal(6, splits.Train.ClassCounts()[1] + splits.Val.ClassCounts()[1] + splits.Test.ClassCounts()[1]);
    }

    [Fact]
    public void The_split_column_decides_the_splits_when_split_is_csv()
    {
        _images.WriteClasses(3);
        _images.WriteLabels("split,file,label", [
            "train,normal-000.png,normal", "train,pneumonia-000.png,pneumonia", "val,normal-001.png,normal",
            "validation,pneumonia-001.png,pneumonia", "test,\"normal-002.png\",normal", "TEST,pneumonia-002.png,pneumonia"]);

        var splits = ImageFolderSet.Load("xray", _images.Entry(split: DataSplit.Csv));

        Assert.Equal((2, 2, 2), (splits.Train.Count, splits.Val.Count, splits.Test.Count));
    }

    [Fact]
    public void An_image_of_the_wrong_size_is_refused_naming_the_file_and_the_csv_line()
    {
        var rows = _images.WriteClasses(5);
        _images.WritePng("normal-003.png", 32, 30, 40);

        var error = Assert.Throws<DataSetException>(() => ImageFolderSet.Load("xray", _images.Entry()));

        var line = rows.IndexOf("normal-003.png,normal") + 2;
        Assert.Equal($"{Path.Combine(_images.Folder, "normal-003.png")} ({_images.LabelsPath} line {line}): 32×30 pixels, but the entry's images are 28×28 "
            + "(resize = exact; set resize = stretch or crop to scale them)", error.Message);
    }

    [Fact]
    public void An_image_smaller_than_the_input_is_refused_also_when_resizing()
    {
        _images.WriteClasses(5);
        _images.WritePng("pneumonia-001.png", 20, 20, 200);

        var error = Assert.Throws<DataSetException>(() => ImageFolderSet.Load("xray", _images.Entry(ImageResize.Crop)));

        Assert.Contains("pneumonia-001.png (", error.Message, StringComparison.Ordinal);
        Assert.Contains("20×20 pixels, smaller than the entry's 28×28 (images are scaled down, never up)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_image_is_refused_naming_the_file()
    {
        _images.WriteClasses(5);
        var corrupt = Path.Combine(_images.Folder, "normal-002.png");
        var bytes = File.ReadAllBytes(corrupt);
        File.WriteAllBytes(corrupt, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<DataSetException>(() => ImageFolderSet.Load("xray", _images.Entry()));

        Assert.StartsWith($"{corrupt} ({_images.LabelsPath} line ", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a readable PNG or JPEG image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_an_image_at_all_is_refused_naming_it()
    {
        _images.WriteClasses(5);
        var text = Path.Combine(_images.Folder, "pneumonia-004.png");
        File.WriteAllText(text, "not an image");

        var error = Assert.Throws<DataSetException>(() => ImageFolderSet.Load("xray", _images.Entry()));

        Assert.StartsWith($"{text} (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_label_is_refused_naming_the_csv_line_and_the_classes()
    {
        var rows = _images.WriteClasses(5);
        rows[3] = "pneumonia-001.png,pneumonai";
        _images.WriteLabels("file,label", rows);

        var error = Assert.Throws<DataSetException>(() => ImageFolderSet.Load("xray", _images.Entry()));

        Assert.Equal($"{_images.LabelsPath} line 5: label 'pneumonai' of 'pneumonia-001.png' is not one of the entry's classes (normal, pneumonia)", error.Message);
    }

    [Fact]
    public void A_listed_file_that_does_not_exist_is_refused_naming_it()
    {
        var rows = _images.WriteClasses(5);
        File.Delete(Path.Combine(_images.Folder, "normal-004.png"));

        var error = Assert.Throws<DataSetException>(() => ImageFolderSet.Load("xray", _images.Entry()));

        var line = rows.IndexOf("normal-004.png,normal") + 2;
        Assert.Equal($"{Path.Combine(_images.Folder, "normal-004.png")} ({_images.LabelsPath} line {line}): no such image file", error.Message);
    }

    [Theory]
    [InlineData("../labels.csv,normal", "is outside the image folder")]
    [InlineData("normal-000.png,normal", "'normal-000.png' is listed again (first on line 2)")]
    [InlineData("normal-000.png", "1 fields, but the header has 2")]
    public void Bad_csv_rows_are_refused_naming_the_line(string row, string problem)
    {
        var rows = _images.WriteClasses(3);
        _images.WriteLabels("file,label", rows.Append(row));

        var error = Assert.Throws<DataSetException>(() => ImageFolderSet.Load("xray", _images.Entry()));

        Assert.StartsWith($"{_images.LabelsPath} line {rows.Count + 2}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_without_a_split_column_is_refused_when_the_entry_reads_splits_from_it()
    {
        _images.WriteClasses(3);

        var error = Assert.Throws<DataSetException>(() => ImageFolderSet.Load("xray", _images.Entry(split: DataSplit.Csv)));

        Assert.Equal($"{_images.LabelsPath} line 1: the header (file,label) has no 'split' column", error.Message);
    }

    [Fact]
    public void A_missing_labels_file_is_refused_naming_it()
    {
        var error = Assert.Throws<DataSetException>(() => ImageFolderSet.Load("xray", _images.Entry()));

        Assert.Equal($"{_images.LabelsPath}: no such labels file", error.Message);
    }

    [Fact]
    public void The_node_refuses_a_task_whose_model_does_not_fit_the_declared_input_before_reading_any_image()
    {
        var source = new ConfiguredDataSource(new DataSettings
        {
            Images = new Dictionary<string, ImageFolderSettings> { ["xray"] = _images.Entry(side: 30) },
        });

        Assert.Equal("data set 'xray' (data.images.xray: 1 channel(s), 30×30, 2 classes) does not fit the task's model: model 'smallcnn' needs an image size divisible by 4 (got 30)",
            source.Problem("xray", "smallcnn"));
        Assert.Null(source.Problem("xray", "resnet18"));
    }

    [Fact]
    public void A_node_loads_its_whole_image_folder_as_its_site_data()
    {
        _images.WriteClasses(10);
        var source = new ConfiguredDataSource(new DataSettings
        {
            Images = new Dictionary<string, ImageFolderSettings> { ["xray"] = _images.Entry() },
        });

        var data = source.Load("xray");

        Assert.Equal((12, 4, 4), (data.Train.Count, data.Validation.Count, data.Test.Count));
    }

    [Fact]
    public void An_own_npz_file_loads_when_it_holds_the_declared_shape_and_is_refused_naming_it_when_not()
    {
        var path = Path.Combine(_images.Root, "own.npz");
        WriteNpz(path, side: 28, label: 1);

        var splits = NpzImageSet.Load("own", path, 1, 28, 2);
        Assert.Equal((3, 1L), (splits.Train.Count, splits.Test.Labels[0]));

        var wrongSide = Assert.Throws<DataSetException>(() => NpzImageSet.Load("own", path, 1, 32, 2));
        Assert.Equal($"{path}: train_images has shape (3, 28, 28), but the entry declares 1-channel images of 32×32 (shape (3, 28, 28) where (3, 32, 32) was expected)",
            wrongSide.Message);
        WriteNpz(path, side: 28, label: 4);
        var badLabel = Assert.Throws<DataSetException>(() => NpzImageSet.Load("own", path, 1, 28, 2));
        Assert.Equal($"{path}: train_labels[0] is 4, outside the entry's 2 classes (0..1)", badLabel.Message);
        var missing = Assert.Throws<DataSetException>(() => NpzImageSet.Load("own", path + ".gone", 1, 28, 2));
        Assert.Equal($"{path}.gone: no such file (data set 'own')", missing.Message);
    }

    private static void WriteNpz(string path, int side, byte label)
    {
        var members = new List<(string, byte[])>();
        foreach (var split in new[] { "train", "val", "test" })
        {
            members.Add((split + "_images", NpyBytes.Npy("|u1", $"(3, {side}, {side})", new byte[3 * side * side])));
            members.Add((split + "_labels", NpyBytes.Npy("|u1", "(3, 1)", new[] { label, label, label })));
        }
        File.WriteAllBytes(path, NpyBytes.Npz(System.IO.Compression.CompressionLevel.Fastest, [.. members]));
    }

    public void Dispose() => _images.Dispose();
}
