using System.Globalization;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Swarm.Learning.Audit;
using Swarm.Learning.Training;

namespace Swarm.Node.Audit;

/// <summary>Writes a gradient-inversion audit: <c>inversion.md</c> (a table per scenario) and
/// <c>inversion.png</c> (per scenario, the true images above their reconstructions).</summary>
public static class InversionReport
{
    private const int Scale = 4;
    private const int Gap = 6;

    public static void Write(string folder, string title, ImageShape shape, IReadOnlyList<InversionOutcome> outcomes,
        IEnumerable<string> notes)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "inversion.md"), Markdown(title, outcomes, notes));
        Picture(shape, outcomes).SaveAsPng(Path.Combine(folder, "inversion.png"));
    }

    public static string Markdown(string title, IReadOnlyList<InversionOutcome> outcomes, IEnumerable<string> notes)
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine($"# Gradient inversion: {title}");
        text.AppendLine();
        text.AppendLine("| scenario | images | labels right | PSNR dB (mean) | SSIM (mean) | random same-class image PSNR dB (mean) | class-mean image PSNR dB (mean) | PSNR gain over a random same-class image dB |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var o in outcomes)
        {
            text.AppendLine(string.Create(culture,
                $"| {o.Scenario} | {o.Psnr.Length} | {o.LabelsRight}/{o.Psnr.Length} | {o.MeanPsnr:F2} | {o.MeanSsim:F3} | {o.MeanBaselinePsnr:F2} | {o.MeanClassMeanPsnr:F2} | {o.MeanPsnr - o.MeanBaselinePsnr:+0.00;-0.00} |"));
        }
        text.AppendLine();
        text.AppendLine("`inversion.png`: one block per scenario in this order, the true images on top and the reconstructions below.");
        text.AppendLine();
        foreach (var note in notes)
        {
            text.AppendLine($"- {note}");
        }
        return text.ToString();
    }

    /// <summary>Rows of image pairs: for each scenario a row of true images and a row of reconstructions.</summary>
    public static Image<Rgb24> Picture(ImageShape shape, IReadOnlyList<InversionOutcome> outcomes)
    {
        var tile = shape.Width * Scale;
        var columns = Math.Max(1, outcomes.Max(o => o.Psnr.Length));
        var width = columns * (tile + Gap) + Gap;
        var height = outcomes.Count * (2 * (shape.Height * Scale) + 3 * Gap) + Gap;
        var picture = new Image<Rgb24>(width, height, new Rgb24(255, 255, 255));
        var top = Gap;
        foreach (var outcome in outcomes)
        {
            for (var k = 0; k < outcome.Psnr.Length; k++)
            {
                var left = Gap + k * (tile + Gap);
                Draw(picture, outcome.Truth.AsSpan(k * shape.Size, shape.Size), shape, left, top);
                Draw(picture, outcome.Reconstruction.AsSpan(k * shape.Size, shape.Size), shape, left, top + shape.Height * Scale + Gap);
            }
            top += 2 * (shape.Height * Scale) + 3 * Gap;
        }
        return picture;
    }

    private static void Draw(Image<Rgb24> picture, ReadOnlySpan<float> image, ImageShape shape, int left, int top)
    {
        var plane = shape.Height * shape.Width;
        for (var y = 0; y < shape.Height * Scale; y++)
        {
            for (var x = 0; x < shape.Width * Scale; x++)
            {
                var index = y / Scale * shape.Width + x / Scale;
                picture[left + x, top + y] = new Rgb24(Pixel(image, shape, plane, 0, index),
                    Pixel(image, shape, plane, 1, index), Pixel(image, shape, plane, 2, index));
            }
        }
    }

    /// <summary>A channel's byte from the model's [−1, 1] input range; a one-channel image is drawn in grey.</summary>
    private static byte Pixel(ReadOnlySpan<float> image, ImageShape shape, int plane, int channel, int index) =>
        (byte)Math.Round(Math.Clamp((image[Math.Min(channel, shape.Channels - 1) * plane + index] + 1) / 2, 0, 1) * 255);
}
