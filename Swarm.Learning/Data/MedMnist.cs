using System.Security.Cryptography;
using Swarm.Learning.Data.Numpy;

namespace Swarm.Learning.Data;

/// <summary>Loads the MedMNIST v2 data sets shipped in <c>data/medmnist/</c>, verifying each file's pinned
/// SHA-256 first and normalizing pixels exactly as MedMNIST's reference training does (torchvision
/// <c>ToTensor</c> then <c>Normalize(mean 0.5, std 0.5)</c>).</summary>
public static class MedMnist
{
    /// <summary>The environment variable naming an extra folder to look for the <c>.npz</c> files in.</summary>
    public const string DataDirVariable = "SWARM_DATA_DIR";

    private static readonly string[] Splits = ["train", "val", "test"];

    /// <summary>Loads the train, validation and test splits of <paramref name="name"/> (pneumoniamnist,
    /// breastmnist or retinamnist).</summary>
    public static MedMnistSplits Load(string name)
    {
        var info = MedMnistInfo.Find(name);
        return LoadFile(Locate(info), info);
    }

    /// <summary>Loads the data set from the file at <paramref name="path"/> after verifying its checksum.</summary>
    public static MedMnistSplits LoadFile(string path, MedMnistInfo info)
    {
        VerifyChecksum(path, info);
        using var archive = NpzArchive.Open(path);
        var counts = new[] { info.TrainCount, info.ValCount, info.TestCount };
        var sets = new ImageDataset[Splits.Length];
        for (var i = 0; i < Splits.Length; i++)
        {
            sets[i] = ReadSplit(archive, info, Splits[i], counts[i]);
        }
        return new MedMnistSplits(sets[0], sets[1], sets[2]);
    }

    /// <summary>Finds the file of <paramref name="info"/>: next to the running assembly first, then in
    /// <c>$SWARM_DATA_DIR</c>, then in <c>data/medmnist</c> of the repository around the assembly or the
    /// working directory.</summary>
    public static string Locate(MedMnistInfo info)
    {
        var candidates = CandidateFolders().Select(folder => Path.Combine(folder, info.FileName)).ToList();
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new DataSetException(
                $"{info.FileName} not found; looked in: {string.Join(", ", candidates)}. "
                + $"Set {DataDirVariable} to the folder holding it.");
    }

    /// <summary>Fails with a message naming the file unless its SHA-256 is the pinned one.</summary>
    public static void VerifyChecksum(string path, MedMnistInfo info)
    {
        string actual;
        try
        {
            using var stream = File.OpenRead(path);
            actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataSetException($"{path}: cannot read data set file: {e.Message}", e);
        }
        if (actual != info.Sha256)
        {
            throw new DataSetException(
                $"{path}: checksum mismatch (SHA-256 {actual}, expected {info.Sha256}); the file is corrupt or "
                + $"not the official {info.FileName} (MD5 {info.Md5}). Restore it from data/medmnist in the repository.");
        }
    }

    private static IEnumerable<string> CandidateFolders()
    {
        var baseDirectory = AppContext.BaseDirectory;
        yield return Path.Combine(baseDirectory, "data", "medmnist");
        yield return baseDirectory;
        var fromEnvironment = Environment.GetEnvironmentVariable(DataDirVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            yield return fromEnvironment;
        }
        foreach (var start in new[] { baseDirectory, Directory.GetCurrentDirectory() })
        {
            if (FindRepositoryRoot(start) is { } root)
            {
                yield return Path.Combine(root, "data", "medmnist");
            }
        }
    }

    private static string? FindRepositoryRoot(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Swarm.sln")))
            {
                return folder.FullName;
            }
        }
        return null;
    }

    private static ImageDataset ReadSplit(NpzArchive archive, MedMnistInfo info, string split, int count)
    {
        var images = archive.Read(split + "_images");
        var labels = archive.Read(split + "_labels");
        if (info.Channels == 1)
        {
            images.RequireShape(count, MedMnistInfo.Side, MedMnistInfo.Side);
        }
        else
        {
            images.RequireShape(count, MedMnistInfo.Side, MedMnistInfo.Side, info.Channels);
        }
        // MedMNIST stores labels as (N, 1); a flat (N) vector is accepted too.
        if (labels.Shape.Count == 2)
        {
            labels.RequireShape(count, 1);
        }
        else
        {
            labels.RequireShape(count);
        }
        var name = $"{info.Name}/{split}";
        return new ImageDataset(
            name, info.Channels, MedMnistInfo.Side, MedMnistInfo.Side, info.Classes,
            PixelNormalizer.ToNormalizedChw(images.AsUInt8(), count, MedMnistInfo.Side, MedMnistInfo.Side, info.Channels),
            ToLabels(name, labels, info.Classes));
    }

    private static long[] ToLabels(string name, NpyArray labels, int classes)
    {
        var raw = labels.AsUInt8();
        var result = new long[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            result[i] = raw[i] < classes
                ? raw[i]
                : throw new DataSetException($"{name}: label {raw[i]} of image {i} is outside 0..{classes - 1}");
        }
        return result;
    }
}
