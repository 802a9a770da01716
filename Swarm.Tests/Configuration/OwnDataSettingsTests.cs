using Swarm.Node.Configuration;

namespace Swarm.Tests.Configuration;

/// <summary><c>data.images.NAME</c> and <c>data.npz.NAME</c> bind strictly like every other section, and what cannot be
/// right together is an error naming the key.</summary>
public sealed class OwnDataSettingsTests
{
    private const string Folder = """
        data.images.xray {
          folder = "/srv/xray", labels = "/srv/xray/labels.csv", channels = 1, image-size = 28, resize = crop
          classes = [normal, pneumonia], split = seeded, validation-fraction = 0.1, test-fraction = 0.1, seed = 3
        }

        """;

    [Fact]
    public void An_image_folder_entry_binds_to_typed_settings()
    {
        using var dir = new TempDirectory();

        var entry = SwarmConfiguration.Bind(NodeConfig.Build(dir, NodeConfig.Minimal + Folder)).Data.Images["xray"];

        Assert.Equal(("/srv/xray", ImageResize.Crop, DataSplit.Seeded, 3), (entry.Folder, entry.Resize, entry.Split, entry.Seed));
        Assert.Equal(["normal", "pneumonia"], entry.Classes);
    }

    [Fact]
    public void A_missing_key_of_an_entry_is_an_error_naming_it()
    {
        using var dir = new TempDirectory();

        var error = NodeConfig.BindFails(dir, NodeConfig.Minimal + Folder.Replace(", seed = 3", "", StringComparison.Ordinal));

        Assert.Equal("data.images.xray.seed", Assert.Single(error.Errors).Key);
    }

    [Fact]
    public void A_name_in_two_sections_one_class_and_two_channels_are_errors_naming_their_keys()
    {
        using var dir = new TempDirectory();
        var text = NodeConfig.Minimal + Folder
            + "data.npz.xray { path = \"/srv/x.npz\", channels = 2, image-size = 28, classes = [only] }\n";

        var error = NodeConfig.BindFails(dir, text);

        Assert.Equal(["data.npz.xray.channels", "data.npz.xray.classes", "data.xray"], error.Errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains(error.Errors, e => e.ToString().Contains("is defined in more than one of data.sets, data.npz and data.images", StringComparison.Ordinal));
    }

    [Fact]
    public void Fractions_that_leave_almost_nothing_to_train_on_are_an_error()
    {
        using var dir = new TempDirectory();

        var error = NodeConfig.BindFails(dir, NodeConfig.Minimal + Folder.Replace("test-fraction = 0.1", "test-fraction = 0.85", StringComparison.Ordinal));

        Assert.Equal("data.images.xray.test-fraction", Assert.Single(error.Errors).Key);
    }
}
