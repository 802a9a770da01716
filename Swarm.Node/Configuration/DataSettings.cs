namespace Swarm.Node.Configuration;

/// <summary><c>data { sets { NAME { ... } } }</c>: where each data set name a task spec may use comes from on this
/// node. For now every set is a built-in MedMNIST file (data/medmnist/NAME.npz) of which this node holds one
/// site's share of a partition.</summary>
public sealed record DataSettings : ISettingsSection
{
    public IReadOnlyDictionary<string, DataSetSettings> Sets { get; init; } = new Dictionary<string, DataSetSettings>(StringComparer.Ordinal);

    public IEnumerable<SettingsProblem> CheckTogether() =>
        Sets.Keys.Where(name => DataSetSettings.NameProblem(name) is not null)
            .Select(name => new SettingsProblem($"sets.{name}", DataSetSettings.NameProblem(name)!, "name the section after the MedMNIST file"));
}
