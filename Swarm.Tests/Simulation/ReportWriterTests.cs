using System.Text.Json;
using System.Xml.Linq;
using Swarm.Node.Simulation.Reporting;

namespace Swarm.Tests.Simulation;

public sealed class ReportWriterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "swarm-report-" + Guid.NewGuid().ToString("N"));

    private static SimulationResults Sample() => new(
        Dataset: "pneumoniamnist",
        Model: "smallcnn",
        Sites: 2,
        Seed: 1,
        Partition: "iid",
        Swarm: new Score(0.95, 0.88),
        Centralized: new Score(0.96, 0.89),
        LocalOnly: [new SiteScore("site-0", new Score(0.90, 0.80)), new SiteScore("site-1", new Score(0.92, 0.84))],
        Personalized: [new PersonalizedScore("site-0", new Score(0.95, 0.88), new Score(0.97, 0.9))],
        Rounds:
        [
            new RoundMetrics(1, 0.90, 0.8, 0.5, 3.2, 2, new string('a', 64)),
            new RoundMetrics(2, 0.94, 0.86, 0.3, 3.1, 2, new string('b', 64)),
        ],
        Blocks: [new BlockSummary(0, new string('c', 64), "genesis", null, "site-0", 0), new BlockSummary(1, new string('d', 64), "round", 1, "site-0", 3)],
        Configuration: "task { rounds = 2 }\n");

    [Fact]
    public void Report_folder_holds_every_file_with_the_final_numbers()
    {
        var files = ReportWriter.Write(_folder, Sample());

        Assert.Equal(["results.json", "report.md", "config.conf", "curves-auc.png", "curves-auc.svg", "curves-loss.png", "curves-loss.svg"],
            files.Select(Path.GetFileName));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "results.json")));
        var final = json.RootElement.GetProperty("final");
        Assert.Equal(0.95, final.GetProperty("swarm").GetProperty("auc").GetDouble());
        Assert.Equal(0.91, final.GetProperty("local_only_mean").GetProperty("auc").GetDouble(), 10);
        Assert.Equal(2, json.RootElement.GetProperty("rounds").GetArrayLength());
        Assert.Equal("task { rounds = 2 }\n", File.ReadAllText(Path.Combine(_folder, "config.conf")));
    }

    [Fact]
    public void Report_markdown_has_a_row_per_method_round_and_block()
    {
        ReportWriter.Write(_folder, Sample());
        var md = File.ReadAllText(Path.Combine(_folder, "report.md"));

        Assert.Contains("| swarm (global model) | 0.9500 | 0.8800 |", md);
        Assert.Contains("| local-only (mean over sites) | 0.9100 | 0.8200 |", md);
        Assert.Contains("| 2 | 0.9400 | 0.8600 |", md);
        Assert.Contains("| 1 | round | 1 | site-0 | 3 |", md);
        Assert.Contains("| site-0 | 0.9500 | 0.9700 |", md);
    }

    [Fact]
    public void Curves_open_as_png_and_svg_with_integer_round_ticks_only()
    {
        var sample = Sample() with { Validation = new ValidationScores(0.94, 0.97, 0.91) };
        ReportWriter.Write(_folder, sample);

        using var png = SixLabors.ImageSharp.Image.Load(Path.Combine(_folder, "curves-auc.png"));
        Assert.Equal((RoundChart.Width, RoundChart.Height), (png.Width, png.Height));
        Assert.Equal("svg", XDocument.Parse(File.ReadAllText(Path.Combine(_folder, "curves-loss.svg"))).Root!.Name.LocalName);

        var plot = ReportWriter.AucChart(sample).Build();
        plot.RenderInMemory(RoundChart.Width, RoundChart.Height);
        var ticks = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).ToList();
        Assert.NotEmpty(ticks);
        Assert.All(ticks, t => Assert.Equal(Math.Round(t.Position), t.Position));
        // Validation against validation: the swarm's curve and the two baselines' selected-epoch validation AUC.
        Assert.Equal(["swarm", "centralized (selected epoch)", "local-only mean (selected epochs)"],
            plot.Legend.GetItems().Select(item => item.LabelText));
    }

    [Fact]
    public void Without_baseline_validation_scores_the_auc_chart_draws_no_test_scores_beside_the_curve()
    {
        var plot = ReportWriter.AucChart(Sample()).Build();

        Assert.Equal(["swarm"], plot.Legend.GetItems().Select(item => item.LabelText));
    }

    [Fact]
    public void Mean_scores_skip_an_auc_that_a_single_class_slice_leaves_undefined()
    {
        var mean = Score.Mean([new Score(0.9, 0.8), new Score(double.NaN, 1.0), new Score(0.7, 0.6)]);

        Assert.Equal(0.8, mean.Auc, 10);
        Assert.Equal(0.8, mean.Accuracy, 10);
        Assert.True(double.IsNaN(Score.Mean([new Score(double.NaN, 0.5)]).Auc));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
