using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Swarm.Node.Configuration;

namespace Swarm.Tests.Data;

/// <summary>A hospital's image folder made in the test: small PNG images written with ImageSharp and a labels CSV.
/// Class "normal" images are dark, "pneumonia" images bright, so a model can learn them in a few steps.</summary>
internal sealed class ImageFolderFixture : IDisposable
{
    public ImageFolderFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "swarm-images-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Root, "png"));
    }

    public string Root { get; }

    public string Folder => Path.Combine(Root, "png");

    public string LabelsPath => Path.Combine(Root, "labels.csv");

    /// <summary>Writes <paramref name="count"/> images per class, <paramref name="side"/> pixels square (RGB when
    /// <paramref name="rgb"/>), and a CSV listing them; returns the CSV's lines after the header.</summary>
    public List<string> WriteClasses(int count, int side = 28, bool rgb = false)
    {
        var rows = new List<string>();
        for (var i = 0; i < count; i++)
        {
            foreach (var (label, value) in new[] { ("normal", (byte)(20 + i)), ("pneumonia", (byte)(220 - i)) })
            {
                var name = $"{label}-{i:D3}.png";
                WritePng(name, side, side, value, rgb);
                rows.Add($"{name},{label}");
            }
        }
        WriteLabels("file,label", rows);
        return rows;
    }

    public void WritePng(string name, int width, int height, byte value, bool rgb = false)
    {
        var path = Path.Combine(Folder, name);
        if (rgb)
        {
            using var image = new Image<Rgb24>(width, height, new Rgb24(value, (byte)(255 - value), value));
            image.SaveAsPng(path);
        }
        else
        {
            using var image = new Image<L8>(width, height, new L8(value));
            image.SaveAsPng(path);
        }
    }

    public void WriteLabels(string header, IEnumerable<string> rows) =>
        File.WriteAllLines(LabelsPath, new[] { header }.Concat(rows));

    public ImageFolderSettings Entry(ImageResize resize = ImageResize.Exact, DataSplit split = DataSplit.Seeded, int channels = 1, int side = 28) => new()
    {
        Folder = Folder,
        Labels = LabelsPath,
        Channels = channels,
        ImageSize = side,
        Classes = ["normal", "pneumonia"],
        Resize = resize,
        Split = split,
        ValidationFraction = 0.2,
        TestFraction = 0.2,
        Seed = 7,
    };

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
