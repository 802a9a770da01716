using Swarm.Learning.Data;

namespace Swarm.Node.Configuration;

/// <summary><c>data.sets.NAME { partition, alpha, sites, site-index, seed, train-limit }</c>: this node's share of
/// the MedMNIST set NAME, cut exactly as <c>swarm simulate</c> cuts it, so site-index i here holds the same images
/// as the simulation's site i with the same partition, sites, seed and train-limit.</summary>
public sealed record DataSetSettings : ISettingsSection
{
    public DataPartition Partition { get; init; }

    /// <summary>Dirichlet concentration (used with partition = dirichlet).</summary>
    [SettingRange(1e-6, 1e6)]
    public double Alpha { get; init; }

    [SettingRange(1, 1024)]
    public int Sites { get; init; }

    [SettingRange(0, 1023)]
    public int SiteIndex { get; init; }

    [SettingRange(0, int.MaxValue)]
    public int Seed { get; init; }

    /// <summary>Only the first N training images before partitioning (0: all).</summary>
    [SettingRange(0, int.MaxValue)]
    public int TrainLimit { get; init; }

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        if (SiteIndex >= Sites)
        {
            yield return new SettingsProblem("site-index", $"is {SiteIndex}, not below sites = {Sites}", "site indices count from 0 to sites - 1");
        }
    }

    /// <summary>Whether <paramref name="name"/> is a built-in MedMNIST set.</summary>
    public static string? NameProblem(string name) =>
        MedMnistInfo.All.Any(i => i.Name == name)
            ? null
            : $"'{name}' is not a built-in MedMNIST set ({string.Join(", ", MedMnistInfo.All.Select(i => i.Name))})";
}
