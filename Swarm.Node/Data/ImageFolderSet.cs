using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Swarm.Learning.Data;
using Swarm.Node.Configuration;

namespace Swarm.Node.Data;

/// <summary>
/// Loads a folder of PNG / JPEG images listed in a labels CSV (<see cref="ImageFolderSettings"/>) into the three
/// splits a task trains, validates and tests on. Each image is decoded with ImageSharp into grey-scale (L8) or RGB
/// (Rgb24) by the entry's channels, brought to image-size × image-size by its resize mode, and normalized like
/// MedMNIST (<see cref="PixelNormalizer"/>). Every problem stops the load with a message naming the image file and
/// the CSV line (or the CSV and the line): a missing or undecodable file, a size the resize mode does not accept, a
/// label that is not one of the entry's classes, a split other than train / val / test, a file listed twice.
/// </summary>
public static class ImageFolderSet
{
    /// <summary>The largest image decoded, in pixels (a guard against decompression bombs; 16384 × 16384).</summary>
    public const long PixelsMax = 16384L * 16384;

    public static MedMnistSplits Load(string name, ImageFolderSettings entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var folder = Path.GetFullPath(entry.Folder);
        if (!Directory.Exists(folder))
        {
            throw new DataSetException($"{folder}: no such image folder (data.images.{name}.folder)");
        }
        var rows = LabelsCsv.Read(entry.Labels, entry.Split == DataSplit.Csv);
        CheckListedOnce(entry.Labels, rows);
        var labels = rows.Select(row => LabelOf(entry, row)).ToArray();
        var splits = entry.Split == DataSplit.Csv
            ? rows.Select(row => SplitOf(entry.Labels, row)).ToArray()
            : SeededSplit.Assign(labels, entry.Classes.Count, entry.ValidationFraction, entry.TestFraction, entry.Seed);
        var side = entry.ImageSize;
        var imageBytes = side * side * entry.Channels;
        if ((long)rows.Count * imageBytes > Array.MaxLength)
        {
            // The images are held as one block of bytes and then of floats, each at most Array.MaxLength long.
            throw new DataSetException($"{entry.Labels}: {rows.Count} images of {side}×{side}×{entry.Channels} are more than one node loads at once "
                + $"({Array.MaxLength} values); lower data.images.{name}.image-size or list fewer images");
        }
        var pixels = new byte[(long)rows.Count * imageBytes];
        for (var i = 0; i < rows.Count; i++)
        {
            var file = FileOf(folder, entry.Labels, rows[i]);
            Decode(file, rows[i], entry, pixels.AsSpan((int)((long)i * imageBytes), imageBytes));
        }
        return new MedMnistSplits(
            Split(name, "train", entry, pixels, labels, splits, 0),
            Split(name, "val", entry, pixels, labels, splits, 1),
            Split(name, "test", entry, pixels, labels, splits, 2));
    }

    private static ImageDataset Split(string name, string split, ImageFolderSettings entry, byte[] pixels, long[] labels, int[] splits, int which)
    {
        var indices = Enumerable.Range(0, labels.Length).Where(i => splits[i] == which).ToArray();
        if (indices.Length == 0)
        {
            throw new DataSetException($"{entry.Labels}: no image falls in the {split} split"
                + (entry.Split == DataSplit.Csv ? " (split column)" : $" (seeded split with validation-fraction {entry.ValidationFraction}, test-fraction {entry.TestFraction}: add images or raise the fraction)"));
        }
        var side = entry.ImageSize;
        var imageBytes = side * side * entry.Channels;
        var chosen = new byte[(long)indices.Length * imageBytes];
        for (var i = 0; i < indices.Length; i++)
        {
            pixels.AsSpan((int)((long)indices[i] * imageBytes), imageBytes).CopyTo(chosen.AsSpan((int)((long)i * imageBytes), imageBytes));
        }
        return new ImageDataset($"{name}/{split}", entry.Channels, side, side, entry.Classes.Count,
            PixelNormalizer.ToNormalizedChw(chosen, indices.Length, side, side, entry.Channels),
            [.. indices.Select(i => labels[i])]);
    }

    private static void CheckListedOnce(string csv, IReadOnlyList<LabelsRow> rows)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!seen.TryAdd(row.File, row.Line))
            {
                throw new DataSetException($"{csv} line {row.Line}: '{row.File}' is listed again (first on line {seen[row.File]}); an image listed twice could land in two splits");
            }
        }
    }

    private static long LabelOf(ImageFolderSettings entry, LabelsRow row)
    {
        var index = entry.Classes.ToList().IndexOf(row.Label);
        return index >= 0 ? index
            : throw new DataSetException($"{entry.Labels} line {row.Line}: label '{row.Label}' of '{row.File}' is not one of the entry's classes ({string.Join(", ", entry.Classes)})");
    }

    private static int SplitOf(string csv, LabelsRow row) => row.Split?.ToLowerInvariant() switch
    {
        "train" => 0,
        "val" or "validation" => 1,
        "test" => 2,
        _ => throw new DataSetException($"{csv} line {row.Line}: split '{row.Split}' of '{row.File}' is not train, val or test"),
    };

    /// <summary>The image's full path; a path that leaves the folder is refused.</summary>
    private static string FileOf(string folder, string csv, LabelsRow row)
    {
        if (row.File.Length == 0)
        {
            throw new DataSetException($"{csv} line {row.Line}: the file column is empty");
        }
        var full = Path.GetFullPath(Path.Combine(folder, row.File));
        var inside = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        if (!full.StartsWith(inside, StringComparison.Ordinal))
        {
            throw new DataSetException($"{csv} line {row.Line}: '{row.File}' is outside the image folder {folder}");
        }
        if (!File.Exists(full))
        {
            throw new DataSetException($"{full} ({csv} line {row.Line}): no such image file");
        }
        return full;
    }

    /// <summary>Decodes one image into <paramref name="target"/> (H×W×C bytes).</summary>
    private static void Decode(string file, LabelsRow row, ImageFolderSettings entry, Span<byte> target)
    {
        var where = $"{file} ({entry.Labels} line {row.Line})";
        try
        {
            var info = Image.Identify(file)
                ?? throw new DataSetException($"{where}: not a PNG or JPEG image ImageSharp can read");
            if ((long)info.Width * info.Height > PixelsMax)
            {
                throw new DataSetException($"{where}: {info.Width}×{info.Height} pixels, more than the {PixelsMax} decoded per image");
            }
            if (entry.Channels == 1)
            {
                using var image = Image.Load<L8>(file);
                Fit(image, where, entry);
                image.CopyPixelDataTo(target);
            }
            else
            {
                using var image = Image.Load<Rgb24>(file);
                Fit(image, where, entry);
                image.CopyPixelDataTo(target);
            }
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException)
        {
            throw new DataSetException($"{where}: not a readable PNG or JPEG image: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataSetException($"{where}: cannot read the image: {e.Message}", e);
        }
    }

    private static void Fit<TPixel>(Image<TPixel> image, string where, ImageFolderSettings entry)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        var side = entry.ImageSize;
        if (image.Width == side && image.Height == side)
        {
            return;
        }
        if (entry.Resize == ImageResize.Exact)
        {
            throw new DataSetException($"{where}: {image.Width}×{image.Height} pixels, but the entry's images are {side}×{side} (resize = exact; set resize = stretch or crop to scale them)");
        }
        if (image.Width < side || image.Height < side)
        {
            throw new DataSetException($"{where}: {image.Width}×{image.Height} pixels, smaller than the entry's {side}×{side} (images are scaled down, never up)");
        }
        var mode = entry.Resize == ImageResize.Crop ? ResizeMode.Crop : ResizeMode.Stretch;
        image.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(side, side), Mode = mode, Position = AnchorPositionMode.Center }));
    }
}
