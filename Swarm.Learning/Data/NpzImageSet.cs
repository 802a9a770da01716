using Swarm.Learning.Data.Numpy;

namespace Swarm.Learning.Data;

/// <summary>Reads a MedMNIST-format <c>.npz</c> file that is not one of the built-in sets (a hospital's own export):
/// arrays <c>train_images</c>, <c>val_images</c>, <c>test_images</c> of uint8 pixels shaped (N, side, side) for
/// grey-scale or (N, side, side, channels), and <c>train_labels</c>, <c>val_labels</c>, <c>test_labels</c> of
/// uint8 or int64 class indices shaped (N) or (N, 1). Nothing is pinned, so every array is checked against the
/// shape the node's entry declares; every problem names the file and the array.</summary>
public static class NpzImageSet
{
    private static readonly string[] Splits = ["train", "val", "test"];

    /// <summary>The three splits of <paramref name="path"/>, which must hold <paramref name="channels"/>-channel
    /// images of <paramref name="side"/>×<paramref name="side"/> pixels labelled 0..<paramref name="classes"/>−1.</summary>
    /// <exception cref="DataSetException">The file is missing, unreadable, or its arrays are not of that shape.</exception>
    public static MedMnistSplits Load(string name, string path, int channels, int side, int classes)
    {
        if (!File.Exists(path))
        {
            throw new DataSetException($"{path}: no such file (data set '{name}')");
        }
        try
        {
            using var archive = NpzArchive.Open(path);
            var sets = Splits.Select(split => ReadSplit(archive, name, path, split, channels, side, classes)).ToArray();
            return new MedMnistSplits(sets[0], sets[1], sets[2]);
        }
        catch (NumpyFormatException e)
        {
            throw new DataSetException($"{path}: {e.Message}", e);
        }
    }

    private static ImageDataset ReadSplit(NpzArchive archive, string name, string path, string split, int channels, int side, int classes)
    {
        var images = archive.Read(split + "_images");
        var labels = archive.Read(split + "_labels");
        var count = images.Shape.Count > 0 ? images.Shape[0] : 0;
        // Grey-scale may be stored (N, side, side) as MedMNIST does, or with a trailing channel axis of 1.
        long[] shape = channels == 1 && images.Shape.Count != 4 ? [count, side, side] : [count, side, side, channels];
        RequireImages(images, path, split, shape, channels, side);
        if (count == 0 && split == "train")
        {
            throw new DataSetException($"{path}: {split}_images holds no images");
        }
        if (labels.Shape.Count == 2)
        {
            labels.RequireShape(count, 1);
        }
        else
        {
            labels.RequireShape(count);
        }
        var splitName = $"{name}/{split}";
        return new ImageDataset(splitName, channels, side, side, classes,
            PixelNormalizer.ToNormalizedChw(images.AsUInt8(), (int)count, side, side, channels),
            Labels(labels, path, split, classes));
    }

    private static void RequireImages(NpyArray images, string path, string split, long[] shape, int channels, int side)
    {
        try
        {
            images.RequireShape(shape);
        }
        catch (NumpyFormatException e)
        {
            throw new DataSetException(
                $"{path}: {split}_images has shape ({string.Join(", ", images.Shape)}), but the entry declares {channels}-channel images of {side}×{side} ({e.Problem})", e);
        }
    }

    private static long[] Labels(NpyArray labels, string path, string split, int classes)
    {
        var values = labels.DType switch
        {
            NpyDType.UInt8 => labels.AsUInt8().ToArray().Select(b => (long)b).ToArray(),
            NpyDType.Int64 => labels.AsInt64().ToArray(),
            _ => throw new DataSetException($"{path}: {split}_labels has dtype {NpyDTypes.Descriptor(labels.DType)}; uint8 or int64 class indices are read"),
        };
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] < 0 || values[i] >= classes)
            {
                throw new DataSetException($"{path}: {split}_labels[{i}] is {values[i]}, outside the entry's {classes} classes (0..{classes - 1})");
            }
        }
        return values;
    }
}
