namespace Swarm.Learning.Data;

/// <summary>What we know about one MedMNIST v2 data set at 28×28 (Yang et al., Scientific Data 10, 41, 2023),
/// and the checksums of the file we ship.</summary>
/// <param name="Name">The data set name, e.g. <c>pneumoniamnist</c>.</param>
/// <param name="Channels">1 for grey-scale, 3 for RGB.</param>
/// <param name="Classes">The number of classes.</param>
/// <param name="TrainCount">Images in the official training split.</param>
/// <param name="ValCount">Images in the official validation split.</param>
/// <param name="TestCount">Images in the official test split.</param>
/// <param name="Md5">The MD5 published by MedMNIST for the file.</param>
/// <param name="Sha256">The SHA-256 of the same file, computed when it was added to the repository.</param>
public sealed record MedMnistInfo(
    string Name, int Channels, int Classes, int TrainCount, int ValCount, int TestCount, string Md5, string Sha256)
{
    /// <summary>Image side in pixels (the 28×28 release).</summary>
    public const int Side = 28;

    /// <summary>The file name, e.g. <c>pneumoniamnist.npz</c>.</summary>
    public string FileName => Name + ".npz";

    /// <summary>The data sets this build knows.</summary>
    public static IReadOnlyList<MedMnistInfo> All { get; } =
    [
        new("pneumoniamnist", 1, 2, 4708, 524, 624, "28209eda62fecd6e6a2d98b1501bb15f",
            "e1792d3f03751cb101e99f19a63b3c1941436c988665f47853417b05be250cd8"),
        new("breastmnist", 1, 2, 546, 78, 156, "750601b1f35ba3300ea97c75c52ff8f6",
            "3a22d2a4625e7dd8903f0f59030e81a3d0c222bece2e5e10927456cb50efdec1"),
        new("retinamnist", 3, 5, 1080, 120, 400, "bd4c0672f1bba3e3a89f0e4e876791e4",
            "254915f5f0a2074665c4676356824cf4ef4a3bcab233894b4bafcaf48962bd69"),
    ];

    /// <summary>Finds a data set by name (case-insensitive), or fails naming the known ones.</summary>
    public static MedMnistInfo Find(string name) =>
        All.FirstOrDefault(info => string.Equals(info.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new DataSetException(
            $"unknown MedMNIST data set '{name}' (known: {string.Join(", ", All.Select(info => info.Name))})");
}
