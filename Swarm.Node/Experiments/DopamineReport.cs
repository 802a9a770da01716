using System.Globalization;
using System.Text;
using ScottPlot;
using Swarm.Learning.Statistics;

namespace Swarm.Node.Experiments;

/// <summary>The Dopamine experiment's report folder: <c>dopamine.md</c> (per data set and method: ε, test ACC and
/// AUC as mean ± sd with the 95 % Student-t interval across seeds), <c>runs.csv</c> (every seed) and one
/// accuracy-vs-ε plot per data set (PNG and SVG; methods without DP as dashed lines, ε = ∞).</summary>
public static class DopamineReport
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>Writes the report into <paramref name="folder"/>; returns the markdown.</summary>
    public static string Write(string folder, DopamineSettings settings, IReadOnlyList<DopamineMethodResult> results)
    {
        Directory.CreateDirectory(folder);
        var markdown = Markdown(settings, results);
        File.WriteAllText(Path.Combine(folder, "dopamine.md"), markdown);
        File.WriteAllText(Path.Combine(folder, "runs.csv"), Csv(results));
        foreach (var dataset in results.Select(r => r.Dataset).Distinct())
        {
            Chart(dataset, results.Where(r => r.Dataset == dataset).ToList(), settings.Delta).Save(folder, $"accuracy-vs-epsilon-{dataset}");
        }
        return markdown;
    }

    public static string Markdown(DopamineSettings settings, IReadOnlyList<DopamineMethodResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("# Dopamine: centralized, central DP-SGD, FedAvg, FedAvg with per-site DP, Dopamine");
        text.AppendLine();
        text.AppendLine(settings.Describe() + ".");
        text.AppendLine("Test scores of the final model (no model selection); ε at δ = " + settings.Delta.ToString(Culture) +
            " from the RDP accountant (largest over the sites where they differ); mean ± sd over seeds [95 % t interval].");
        foreach (var dataset in results.Select(r => r.Dataset).Distinct())
        {
            text.AppendLine();
            text.AppendLine($"## {dataset}");
            text.AppendLine();
            text.AppendLine("| method | ε | q | DP steps | test ACC | test AUC | wall s (mean) |");
            text.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var method in DopamineExperiment.Methods)
            {
                var runs = results.Where(r => r.Dataset == dataset && r.Method == method).ToList();
                if (runs.Count == 0)
                {
                    continue;
                }
                var epsilon = SeedSummary.Of(runs.Select(r => r.Epsilon));
                text.AppendLine(string.Create(Culture,
                    $"| {method} | {(double.IsFinite(epsilon.Mean) ? epsilon.Mean.ToString("F2", Culture) : "∞")} | {Q(runs[0].SamplingRate)} | {runs[0].Steps} | ") +
                    $"{Summary(runs.Select(r => r.Accuracy))} | {Summary(runs.Select(r => r.Auc))} | {runs.Average(r => r.Seconds).ToString("F0", Culture)} |");
            }
        }
        return text.ToString();
    }

    private static string Q(double q) => double.IsNaN(q) ? "–" : q.ToString("G4", Culture);

    private static string Summary(IEnumerable<double> values)
    {
        var s = SeedSummary.Of(values);
        return s.Count < 2
            ? s.Mean.ToString("F4", Culture)
            : string.Create(Culture, $"{s.Mean:F4} ± {s.StandardDeviation:F4} [{s.Low:F4}, {s.High:F4}]");
    }

    private static string Csv(IReadOnlyList<DopamineMethodResult> results)
    {
        var text = new StringBuilder("dataset,seed,method,test_accuracy,test_auc,epsilon,sampling_rate,steps,seconds\n");
        foreach (var r in results)
        {
            text.AppendLine(string.Create(Culture, $"{r.Dataset},{r.Seed},{r.Method},{r.Accuracy:R},{r.Auc:R},{r.Epsilon:R},{r.SamplingRate:R},{r.Steps},{r.Seconds:F1}"));
        }
        return text.ToString();
    }

    private static ChartFile Chart(string dataset, IReadOnlyList<DopamineMethodResult> results, double delta)
    {
        var plot = new Plot();
        plot.Title($"{dataset}: test accuracy vs ε (δ = {delta.ToString(Culture)})");
        plot.XLabel("ε");
        plot.YLabel("test accuracy");
        var palette = new ScottPlot.Palettes.Category10();
        var colour = 0;
        foreach (var method in DopamineExperiment.Methods)
        {
            var runs = results.Where(r => r.Method == method).ToList();
            if (runs.Count == 0)
            {
                continue;
            }
            var color = palette.GetColor(colour++);
            var accuracy = SeedSummary.Of(runs.Select(r => r.Accuracy));
            var epsilon = runs.Average(r => r.Epsilon);
            if (!double.IsFinite(epsilon))
            {
                var line = plot.Add.HorizontalLine(accuracy.Mean, 1.5f, color, LinePattern.Dashed);
                line.LegendText = $"{method} (no DP)";
                continue;
            }
            var point = plot.Add.Scatter(new[] { epsilon }, new[] { accuracy.Mean }, color);
            point.LineWidth = 0;
            point.MarkerSize = 9;
            point.LegendText = method;
            var seeds = plot.Add.Scatter(runs.Select(r => r.Epsilon).ToArray(), runs.Select(r => r.Accuracy).ToArray(), color);
            seeds.LineWidth = 0;
            seeds.MarkerSize = 4;
            if (double.IsFinite(accuracy.Low))
            {
                var interval = plot.Add.Line(epsilon, accuracy.Low, epsilon, accuracy.High);
                interval.Color = color;
                interval.LineWidth = 2;
            }
        }
        // From ε = 0, so that DP methods at one ε (the same q, σ, T by design) stand on one line, not on a collapsed axis.
        var largest = results.Select(r => r.Epsilon).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsX(0, largest * 1.3);
        plot.ShowLegend(Alignment.LowerLeft);
        return new ChartFile(plot);
    }

    private sealed class ChartFile(Plot plot)
    {
        public void Save(string folder, string stem)
        {
            plot.SavePng(Path.Combine(folder, stem + ".png"), 800, 450);
            plot.SaveSvg(Path.Combine(folder, stem + ".svg"), 800, 450);
        }
    }
}
