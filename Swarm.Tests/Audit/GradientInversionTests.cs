using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Swarm.Learning.Audit;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Node.Cli;
using Xunit.Abstractions;

namespace Swarm.Tests.Audit;

/// <summary>Issue 14's attack: a curious peer rebuilds a site's training image from its published single-image
/// update, and cannot from the sum of four sites' updates, which is all secure aggregation reveals.</summary>
public sealed class GradientInversionTests(ITestOutputHelper output) : IDisposable
{
    private static readonly InversionOptions Attack = new(Iterations: 250);
    private readonly TempDirectory _temp = new();
    private string _folder => _temp.Sub("report");

    [Fact]
    public void A_raw_single_image_update_is_rebuilt_and_the_sum_of_four_sites_hides_each_image()
    {
        var train = MedMnist.Load("pneumoniamnist").Train;
        using var model = TorchTrainer.Create("smallcnn", 1, 2, 28, 3);
        var audit = new InversionAudit(model, train, Attack);

        var single = audit.Raw(0, 1);
        var sum = audit.SumOfSites(0, 4);

        output.WriteLine($"single: PSNR {single.MeanPsnr:F2} SSIM {single.MeanSsim:F3}, random same-class {single.MeanBaselinePsnr:F2}, class mean {single.MeanClassMeanPsnr:F2}");
        for (var s = 0; s < 4; s++)
        {
            output.WriteLine($"sum, site {s}: PSNR {sum.Psnr[s]:F2} SSIM {sum.Ssim[s]:F3}, random same-class {sum.BaselinePsnr[s]:F2}, class mean {sum.ClassMeanPsnr[s]:F2}");
        }
        Assert.Equal(1, single.LabelsRight); // iDLG read the label off the bias gradient
        Assert.True(single.MeanPsnr > single.MeanBaselinePsnr + 8, "the single image is rebuilt far closer than a random image of its class");
        Assert.True(single.MeanSsim > 0.7, $"SSIM {single.MeanSsim:F3}");
        // The same image, seen only inside the sum, comes back no sharper than a blend: at least 5 dB below the
        // single-image attack, and no site's image is recovered as well as the single image was.
        Assert.True(sum.Psnr[0] < single.Psnr[0] - 5, $"site 0 in the sum: {sum.Psnr[0]:F2} dB vs alone {single.Psnr[0]:F2} dB");
        Assert.True(sum.Psnr.Max() < single.MeanPsnr - 5);
    }

    [Fact]
    public void The_label_of_a_single_image_is_read_off_the_last_bias_gradient()
    {
        var train = MedMnist.Load("breastmnist").Train;
        using var model = TorchTrainer.Create("smallcnn", 1, 2, 28, 5);
        var shape = new ImageShape(1, 28, 28);
        var gradient = new float[model.Layout.TrainableLength];
        foreach (var index in Enumerable.Range(0, 40))
        {
            model.Gradient(new TrainingData(train.Image(index).ToArray(), new[] { train.Labels[index] }, shape), gradient);
            Assert.Equal(train.Labels[index], GradientInversion.InferSingleLabel(model.Layout, 2, gradient));
        }
    }

    [Fact]
    public void The_audit_command_writes_a_table_and_a_picture_of_every_scenario()
    {
        var settings = new AuditCommand.InversionSettings { Dataset = "breastmnist", Iterations = 3, Batch = 2, Sites = 3, Threads = 1 };

        Assert.Equal(ExitCodes.Ok, AuditCommand.RunInversion(settings, _folder));

        var table = File.ReadAllLines(Path.Combine(_folder, "inversion.md"));
        foreach (var scenario in new[] { "raw update, 1 image", "raw update, batch of 2", "top-θ update, θ = 0.1", "DP-SGD update, σ = 0.1", "sum of 3 sites" })
        {
            Assert.Single(table, line => line.StartsWith("| " + scenario, StringComparison.Ordinal));
        }
        using var picture = Image.Load<Rgb24>(Path.Combine(_folder, "inversion.png"));
        Assert.Equal((3 * (112 + 6) + 6, 5 * (2 * 112 + 18) + 6), (picture.Width, picture.Height));
        Assert.Equal(ExitCodes.Usage, AuditCommand.RunInversion(settings with { Theta = 0 }, _folder));
    }

    public void Dispose() => _temp.Dispose();
}
