namespace Swarm.Node.Configuration;

/// <summary><c>data.images.NAME { folder, labels, channels, image-size, classes, resize, split, validation-fraction,
/// test-fraction, seed }</c>: this node's own data set NAME as a folder of PNG or JPEG images with a labels CSV
/// (header <c>file,label</c> and, for <c>split = csv</c>, <c>split</c>; file paths relative to the folder). Images are
/// decoded with ImageSharp, converted to grey-scale or RGB by <c>channels</c> and brought to <c>image-size</c> by
/// <c>resize</c>; labels are class names from <c>classes</c>.</summary>
public sealed record ImageFolderSettings : ISettingsSection, IOwnDataSettings
{
    [RequiredSetting("write the folder that holds the images")]
    public string Folder { get; init; } = "";

    [RequiredSetting("write the path of the labels CSV (header: file,label[,split])")]
    public string Labels { get; init; } = "";

    [SettingRange(1, 3)]
    public int Channels { get; init; }

    [SettingRange(4, 1024)]
    public int ImageSize { get; init; }

    /// <summary>The class names the CSV's label column uses; class i is the i-th name.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    public ImageResize Resize { get; init; }

    public DataSplit Split { get; init; }

    /// <summary>With <c>split = seeded</c>: the share of each class held out for validation.</summary>
    [SettingRange(0, 0.9)]
    public double ValidationFraction { get; init; }

    /// <summary>With <c>split = seeded</c>: the share of each class held out for testing.</summary>
    [SettingRange(0, 0.9)]
    public double TestFraction { get; init; }

    /// <summary>With <c>split = seeded</c>: the seed of the split.</summary>
    [SettingRange(0, int.MaxValue)]
    public int Seed { get; init; }

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        foreach (var problem in OwnDataRules.Problems(this))
        {
            yield return problem;
        }
        if (Split == DataSplit.Seeded && ValidationFraction + TestFraction >= 0.9)
        {
            yield return new SettingsProblem("test-fraction", $"validation-fraction + test-fraction is {ValidationFraction + TestFraction}, leaving almost nothing to train on",
                "keep their sum below 0.9");
        }
    }
}
