namespace Swarm.Node.Configuration;

/// <summary><c>data.npz.NAME { path, channels, image-size, classes }</c>: this node's own data set NAME in a
/// MedMNIST-format .npz file (train/val/test images and labels), all of it this node's. The shape is declared, not
/// guessed, so that every site of a task builds the same model and a file of another shape is refused by name.</summary>
public sealed record NpzFileSettings : ISettingsSection, IOwnDataSettings
{
    [RequiredSetting("write the path of the .npz file")]
    public string Path { get; init; } = "";

    [SettingRange(1, 3)]
    public int Channels { get; init; }

    [SettingRange(4, 1024)]
    public int ImageSize { get; init; }

    /// <summary>The class names; label i of the file is class i.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    public IEnumerable<SettingsProblem> CheckTogether() => OwnDataRules.Problems(this);
}
