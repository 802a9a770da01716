namespace Swarm.Node.Configuration;

/// <summary><c>data { sets { NAME { ... } }, npz { NAME { ... } }, images { NAME { ... } } }</c>: where each data set
/// name a task spec may use comes from on this node. <c>sets</c>: a built-in MedMNIST file (data/medmnist/NAME.npz)
/// of which this node holds one site's share of a partition, as <c>swarm simulate</c> cuts it. <c>npz</c>: the
/// hospital's own MedMNIST-format file. <c>images</c>: the hospital's own folder of PNG / JPEG images with a labels
/// CSV. A name is defined in one of the three only.</summary>
public sealed record DataSettings : ISettingsSection
{
    public IReadOnlyDictionary<string, DataSetSettings> Sets { get; init; } = new Dictionary<string, DataSetSettings>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, NpzFileSettings> Npz { get; init; } = new Dictionary<string, NpzFileSettings>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, ImageFolderSettings> Images { get; init; } = new Dictionary<string, ImageFolderSettings>(StringComparer.Ordinal);

    /// <summary>Every name defined in any of the three sections.</summary>
    public IEnumerable<string> Names => Sets.Keys.Concat(Npz.Keys).Concat(Images.Keys);

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        foreach (var name in Sets.Keys.Where(name => DataSetSettings.NameProblem(name) is not null))
        {
            yield return new SettingsProblem($"sets.{name}", DataSetSettings.NameProblem(name)!,
                "name the section after the MedMNIST file, or describe your own data under data.npz or data.images");
        }
        foreach (var name in Names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            yield return new SettingsProblem(name, "is defined in more than one of data.sets, data.npz and data.images",
                "keep one entry under that name (a task spec names one data set)");
        }
    }
}
