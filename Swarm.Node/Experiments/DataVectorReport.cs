using System.Globalization;
using System.Text;
using ScottPlot;
using Swarm.Learning.DataVectors;
using Swarm.Learning.Statistics;

namespace Swarm.Node.Experiments;

/// <summary>The data-vector experiment's report folder: <c>data-vectors.md</c> (tables: every method's test AUC
/// and accuracy as mean ± sd over seeds with the 95 % Student-t interval, per-seed paired differences, the
/// asynchronous run step by step), <c>measurements.csv</c> and <c>arrivals.csv</c> (every number), and per data set
/// a bar chart of test AUC by method and a line chart of the asynchronous run (PNG and SVG, ScottPlot).</summary>
public static class DataVectorReport
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static void Write(string folder, DataVectorSettings settings, DataVectorExperiment experiment, string command)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "data-vectors.md"), Markdown(settings, experiment, command));
        File.WriteAllLines(Path.Combine(folder, "measurements.csv"),
            ["dataset,partition,seed,method,test_auc,test_accuracy,val_auc",
             .. experiment.Measurements.Select(m => string.Create(Culture,
                 $"{m.Dataset},{m.Partition},{m.Seed},\"{m.Method}\",{m.TestAuc:R},{m.TestAccuracy:R},{m.ValAuc:R}"))]);
        File.WriteAllLines(Path.Combine(folder, "arrivals.csv"),
            ["dataset,partition,seed,step,event,rule,vectors,val_auc,test_auc",
             .. experiment.Arrivals.Select(a => string.Create(Culture,
                 $"{a.Dataset},{a.Partition},{a.Seed},{a.Step},\"{a.Event}\",{a.Rule},{a.Vectors},{a.ValAuc:R},{a.TestAuc:R}"))]);
        foreach (var dataset in settings.Datasets)
        {
            MethodChart(experiment, settings, dataset).SavePng(Path.Combine(folder, $"auc-{dataset}.png"), 1000, 520);
            MethodChart(experiment, settings, dataset).SaveSvg(Path.Combine(folder, $"auc-{dataset}.svg"), 1000, 520);
            if (experiment.Arrivals.Any(a => a.Dataset == dataset))
            {
                ArrivalChart(experiment, dataset).SavePng(Path.Combine(folder, $"async-{dataset}.png"), 800, 450);
                ArrivalChart(experiment, dataset).SaveSvg(Path.Combine(folder, $"async-{dataset}.svg"), 800, 450);
            }
        }
    }

    public static string Markdown(DataVectorSettings settings, DataVectorExperiment experiment, string command)
    {
        var text = new StringBuilder();
        text.AppendLine("# Data vectors: merged fine-tuned models against their baselines");
        text.AppendLine();
        text.AppendLine(string.Create(Culture,
            $"{settings.Model} pre-trained on {settings.Pretraining} for {settings.PretrainEpochs} epochs; {settings.Sites} sites each fine-tune it for {settings.Epochs} epochs (Adam {settings.LearningRate:G3}, batch {settings.BatchSize}); ") +
            string.Create(Culture, $"partitions {string.Join(", ", settings.Partitions)} (Dirichlet α = {settings.Alpha:G3}); seeds {string.Join(", ", settings.Seeds)}") +
            (settings.TrainLimit > 0 ? string.Create(Culture, $"; only the first {settings.TrainLimit} training images of each data set") : "") + ".");
        text.AppendLine();
        text.AppendLine($"Command: `{command}`");
        text.AppendLine();
        text.AppendLine("Scores are on the official test split (AUC and accuracy, MedMNIST's definitions); ± is the sample sd over seeds, [ ] the 95 % Student-t interval of the mean.");
        text.AppendLine("'single site (best by test AUC)' picks, per seed, the site whose model scored best on the test split: an oracle, the strongest single-site baseline.");
        foreach (var dataset in settings.Datasets)
        {
            foreach (var partition in settings.Partitions)
            {
                var rows = experiment.Measurements.Where(m => m.Dataset == dataset && m.Partition == partition).ToList();
                if (rows.Count == 0)
                {
                    continue;
                }
                text.AppendLine();
                text.AppendLine($"## {dataset}, {partition}");
                text.AppendLine();
                text.AppendLine("| method | test AUC | 95 % interval | test ACC | val AUC |");
                text.AppendLine("|---|---|---|---|---|");
                foreach (var method in DataVectorExperiment.Methods)
                {
                    var of = rows.Where(r => r.Method == method).ToList();
                    var auc = SeedSummary.Of(of.Select(r => r.TestAuc));
                    var acc = SeedSummary.Of(of.Select(r => r.TestAccuracy));
                    var val = SeedSummary.Of(of.Select(r => r.ValAuc));
                    text.AppendLine(string.Create(Culture,
                        $"| {method} | {auc.Mean:F4} ± {auc.StandardDeviation:F4} | [{auc.Low:F4}, {auc.High:F4}] | {acc.Mean:F4} ± {acc.StandardDeviation:F4} | {val.Mean:F4} ± {val.StandardDeviation:F4} |"));
                }
                text.AppendLine();
                text.AppendLine("Paired differences in test AUC (per seed, then mean ± sd and the 95 % interval; * = the interval excludes 0):");
                text.AppendLine();
                text.AppendLine("| merged rule | − best single site | − random vectors (same rule; sum for mean/validated) | − full-data fine-tuning | − synchronous swarm |");
                text.AppendLine("|---|---|---|---|---|");
                foreach (var rule in Enum.GetValues<MergeRule>())
                {
                    var merged = DataVectorExperiment.Merged(rule);
                    var random = rule == MergeRule.SampleWeighted ? DataVectorExperiment.RandomWeighted : DataVectorExperiment.RandomSum;
                    text.AppendLine($"| {rule.Name()} | {Difference(rows, merged, DataVectorExperiment.SingleBest)} | {Difference(rows, merged, random)} | {Difference(rows, merged, DataVectorExperiment.FullData)} | {Difference(rows, merged, DataVectorExperiment.Synchronous)} |");
                }
            }
            AsyncTable(text, experiment, dataset);
        }
        text.AppendLine();
        text.AppendLine("## Notes");
        text.AppendLine();
        foreach (var note in experiment.Notes)
        {
            text.AppendLine("- " + note);
        }
        return text.ToString();
    }

    private static void AsyncTable(StringBuilder text, DataVectorExperiment experiment, string dataset)
    {
        var arrivals = experiment.Arrivals.Where(a => a.Dataset == dataset).ToList();
        if (arrivals.Count == 0)
        {
            return;
        }
        text.AppendLine();
        text.AppendLine($"### {dataset}: asynchronous arrivals ({arrivals[0].Partition})");
        text.AppendLine();
        text.AppendLine("| step | event | vectors | sample-weighted test AUC | sample-weighted val AUC | sum test AUC | sum val AUC |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var step in arrivals.Select(a => a.Step).Distinct().Order())
        {
            var at = arrivals.Where(a => a.Step == step).ToList();
            string Cell(string rule, Func<DataVectorArrival, double> value)
            {
                var s = SeedSummary.Of(at.Where(a => a.Rule == rule).Select(value));
                return string.Create(Culture, $"{s.Mean:F4} ± {s.StandardDeviation:F4}");
            }
            var weighted = MergeRule.SampleWeighted.Name();
            var sum = MergeRule.Sum.Name();
            text.AppendLine($"| {step} | {at[0].Event} | {at[0].Vectors} | {Cell(weighted, a => a.TestAuc)} | {Cell(weighted, a => a.ValAuc)} | {Cell(sum, a => a.TestAuc)} | {Cell(sum, a => a.ValAuc)} |");
        }
    }

    private static string Difference(IReadOnlyList<DataVectorMeasurement> rows, string a, string b)
    {
        var left = rows.Where(r => r.Method == a).ToDictionary(r => r.Seed, r => r.TestAuc);
        var right = rows.Where(r => r.Method == b).ToDictionary(r => r.Seed, r => r.TestAuc);
        var s = SeedSummary.Of(left.Keys.Where(right.ContainsKey).Order().Select(seed => left[seed] - right[seed]));
        return string.Create(Culture, $"{Signed(s.Mean)} ± {s.StandardDeviation:F4} [{Signed(s.Low)}, {Signed(s.High)}]{(s.ExcludesZero ? " *" : "")}");
    }

    /// <summary>A signed difference to 4 places; a value that rounds to zero is written +0.0000 (not −0).</summary>
    public static string Signed(double value) =>
        double.IsFinite(value)
            ? (Math.Round(value, 4) + 0.0).ToString("+0.0000;-0.0000;+0.0000", Culture)
            : value.ToString(Culture);

    private static Plot MethodChart(DataVectorExperiment experiment, DataVectorSettings settings, string dataset)
    {
        var plot = new Plot();
        plot.Title($"{dataset}: test AUC by method (mean ± sd over {settings.Seeds.Count} seeds)");
        plot.YLabel("test AUC");
        var palette = new ScottPlot.Palettes.Category20();
        var methods = DataVectorExperiment.Methods;
        var ticks = new List<Tick>();
        for (var p = 0; p < settings.Partitions.Count; p++)
        {
            var partition = settings.Partitions[p];
            var groupStart = p * (methods.Count + 1);
            for (var m = 0; m < methods.Count; m++)
            {
                var s = SeedSummary.Of(experiment.Measurements
                    .Where(r => r.Dataset == dataset && r.Partition == partition && r.Method == methods[m]).Select(r => r.TestAuc));
                var bar = new Bar
                {
                    Position = groupStart + m, Value = double.IsFinite(s.Mean) ? s.Mean : 0,
                    Error = double.IsFinite(s.StandardDeviation) ? s.StandardDeviation : 0,
                    FillColor = palette.GetColor(m),
                };
                plot.Add.Bar(bar);
            }
            ticks.Add(new Tick(groupStart + ((methods.Count - 1) / 2.0), partition));
        }
        for (var m = 0; m < methods.Count; m++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = methods[m], FillColor = palette.GetColor(m) });
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.SetLimitsY(0.4, 1.0);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot ArrivalChart(DataVectorExperiment experiment, string dataset)
    {
        var arrivals = experiment.Arrivals.Where(a => a.Dataset == dataset).ToList();
        var plot = new Plot();
        plot.Title($"{dataset}: merged model as vectors arrive ({arrivals[0].Partition}, mean of seeds)");
        plot.XLabel("arrival (0 = pre-trained; last = site-1 publishes again)");
        plot.YLabel("AUC");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        var palette = new ScottPlot.Palettes.Category10();
        var colour = 0;
        foreach (var rule in new[] { MergeRule.SampleWeighted.Name(), MergeRule.Sum.Name() })
        {
            foreach (var (label, value) in new (string, Func<DataVectorArrival, double>)[] { ("test", a => a.TestAuc), ("val", a => a.ValAuc) })
            {
                var steps = arrivals.Where(a => a.Rule == rule).Select(a => a.Step).Distinct().Order().ToArray();
                var means = steps.Select(step => SeedSummary.Of(arrivals.Where(a => a.Rule == rule && a.Step == step).Select(value))).ToArray();
                var line = plot.Add.Scatter(steps.Select(s => (double)s).ToArray(), means.Select(m => m.Mean).ToArray(), palette.GetColor(colour));
                line.LegendText = $"{rule}: {label} AUC";
                if (label == "val")
                {
                    line.LinePattern = LinePattern.Dashed;
                }
                else
                {
                    var errors = plot.Add.ErrorBar(steps.Select(s => (double)s).ToArray(), means.Select(m => m.Mean).ToArray(),
                        means.Select(m => double.IsFinite(m.StandardDeviation) ? m.StandardDeviation : 0).ToArray());
                    errors.Color = palette.GetColor(colour);
                }
                colour++;
            }
        }
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }
}
