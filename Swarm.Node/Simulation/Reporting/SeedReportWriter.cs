using System.Text;
using System.Text.Json;
using Swarm.Learning.Statistics;

namespace Swarm.Node.Simulation.Reporting;

/// <summary>Writes the summary of a run at several seeds: report.md and summary.json in the top folder, beside one
/// full report folder per seed (<c>seed-N/</c>).</summary>
public static class SeedReportWriter
{
    public static IReadOnlyList<string> Write(string folder, IReadOnlyList<SimulationResults> runs, SeedStatistics statistics)
    {
        Directory.CreateDirectory(folder);
        var files = new Dictionary<string, string>
        {
            ["summary.json"] = JsonSerializer.Serialize(new
            {
                runs[0].Dataset,
                runs[0].Model,
                runs[0].Sites,
                runs[0].Partition,
                statistics.Seeds,
                statistics.Methods,
                Comparisons = new[] { statistics.SwarmVersusLocalOnly, statistics.SwarmVersusCentralized }.Select(c => new
                {
                    c.Name,
                    c.AcrossSeeds,
                    c.PerSeed,
                    c.Significant,
                    c.TestUsed,
                }),
                Goal = new { statistics.BeatsLocalOnlyByMargin, statistics.CloseToCentralized },
                Validation = runs.Select(r => new { r.Seed, r.Validation }),
            }, ReportWriter.Json),
            ["report.md"] = Markdown(runs, statistics),
        };
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Combine(folder, name), text);
        }
        return files.Keys.Select(name => Path.Combine(folder, name)).ToArray();
    }

    public static string Markdown(IReadOnlyList<SimulationResults> runs, SeedStatistics statistics)
    {
        var md = new StringBuilder();
        var seeds = string.Join(", ", statistics.Seeds);
        md.AppendLine(Inv($"# Swarm simulation over {statistics.Seeds.Count} seeds: {runs[0].Dataset}, {runs[0].Model}, {runs[0].Sites} sites ({runs[0].Partition})"));
        md.AppendLine();
        md.AppendLine($"Seeds {seeds}; each seed's full report is in `seed-N/report.md`. A seed changes the split, the initialisation and "
            + "the shuffling. Mean ± sample standard deviation across seeds; the 95 % interval is the Student-t interval of the mean "
            + "(mean ± t(0.975; n − 1) · sd / √n). Per seed, the test AUC's 95 % interval is a percentile bootstrap over the test images.");
        md.AppendLine();
        md.AppendLine("| method | test AUC mean ± sd | 95 % CI (t, across seeds) | test ACC mean ± sd | " + string.Join(" | ", statistics.Seeds.Select(s => $"seed {s}: AUC [bootstrap 95 % CI]")) + " |");
        md.AppendLine("|---|---|---|---|" + string.Concat(statistics.Seeds.Select(_ => "---|")));
        for (var m = 0; m < statistics.Methods.Count; m++)
        {
            var method = statistics.Methods[m];
            var perSeed = runs.Select(r => PerSeed(r, method.Method));
            md.AppendLine($"| {method.Method} | {MeanSd(method.Auc)} | {Interval(method.Auc)} | {MeanSd(method.Accuracy)} | {string.Join(" | ", perSeed)} |");
        }
        md.AppendLine();
        md.AppendLine("## Which differences are significant");
        md.AppendLine();
        md.AppendLine("Each difference is paired: the two methods at the same seed (same split), and within a seed on the same bootstrap "
            + "resamples of the test images. With two seeds or more the decision is a two-sided paired t-test at 5 % on the per-seed "
            + "differences (significant when the t interval of the mean difference excludes 0); the per-seed paired bootstrap "
            + "intervals are shown beside it. They answer different questions: the bootstrap asks whether this test set could have "
            + "ranked the two models the other way, the t-test whether another seed could.");
        md.AppendLine();
        md.AppendLine("| difference of test AUC | mean ± sd | 95 % CI (t, across seeds) | test | significant | " + string.Join(" | ", statistics.Seeds.Select(s => $"seed {s} [paired bootstrap 95 % CI]")) + " |");
        md.AppendLine("|---|---|---|---|---|" + string.Concat(statistics.Seeds.Select(_ => "---|")));
        foreach (var c in new[] { statistics.SwarmVersusLocalOnly, statistics.SwarmVersusCentralized })
        {
            var perSeed = c.PerSeed.Select(b => Inv($"{b.Estimate:+0.0000;-0.0000} {ReportWriter.Range(b)}"));
            md.AppendLine($"| {c.Name} | {MeanSd(c.AcrossSeeds, signed: true)} | {Interval(c.AcrossSeeds)} | {c.TestUsed} | "
                + $"{(c.Significant ? "yes" : "no")} ({c.SeedsSignificantByBootstrap} of {c.PerSeed.Count} seeds by bootstrap) | {string.Join(" | ", perSeed)} |");
        }
        md.AppendLine();
        md.AppendLine("## Goal");
        md.AppendLine();
        md.AppendLine(Inv($"- Swarm at least {SeedStatistics.LocalOnlyMarginMin} AUC above the local-only mean (mean over seeds): ")
            + Inv($"{statistics.SwarmVersusLocalOnly.AcrossSeeds.Mean:+0.0000;-0.0000} — {(statistics.BeatsLocalOnlyByMargin ? "met" : "not met")}."));
        md.AppendLine(Inv($"- Swarm within {SeedStatistics.CentralizedGapMax} AUC of centralized (mean over seeds): ")
            + Inv($"{statistics.SwarmVersusCentralized.AcrossSeeds.Mean:+0.0000;-0.0000} — {(statistics.CloseToCentralized ? "met" : "not met")}."));
        md.AppendLine();
        md.AppendLine("## Validation AUC of the selected models");
        md.AppendLine();
        md.AppendLine("What defaults may be chosen on (the test split is not). Swarm and centralized on the global validation split; local-only on each site's own slice, averaged.");
        md.AppendLine();
        md.AppendLine("| seed | swarm | centralized | local-only mean |");
        md.AppendLine("|---|---|---|---|");
        foreach (var r in runs.Where(r => r.Validation is not null))
        {
            md.AppendLine(Inv($"| {r.Seed} | {r.Validation!.Swarm:0.0000} | {r.Validation.Centralized:0.0000} | {r.Validation.LocalOnlyMean:0.0000} |"));
        }
        var validated = runs.Where(r => r.Validation is not null).Select(r => r.Validation!).ToList();
        if (validated.Count > 0)
        {
            md.AppendLine(Inv($"| mean | {validated.Average(v => v.Swarm):0.0000} | {validated.Average(v => v.Centralized):0.0000} | {validated.Average(v => v.LocalOnlyMean):0.0000} |"));
        }
        md.AppendLine();
        md.AppendLine("## Wall time per seed");
        md.AppendLine();
        md.AppendLine("| seed | seconds (all parts) |");
        md.AppendLine("|---|---|");
        foreach (var r in runs)
        {
            md.AppendLine(Inv($"| {r.Seed} | {r.WallSeconds:0.0} |"));
        }
        return md.ToString();
    }

    private static string PerSeed(SimulationResults r, string method)
    {
        var i = r.Intervals;
        (Score? score, BootstrapInterval? interval) = method switch
        {
            "swarm (global model)" => (r.Swarm, i?.Swarm),
            "centralized" => (r.Centralized, i?.Centralized),
            "centralized DP-SGD" => (r.CentralDp, null),
            "local-only (mean over sites)" => (r.LocalOnlyMean, i?.LocalOnlyMean),
            _ => SiteOf(r, method),
        };
        return score is null ? "-" : Inv($"{score.Auc:0.0000} {ReportWriter.Range(interval)}");
    }

    private static (Score?, BootstrapInterval?) SiteOf(SimulationResults r, string method)
    {
        var index = r.LocalOnly.ToList().FindIndex(s => method == $"local-only {s.Site}");
        return index < 0 ? (null, null) : (r.LocalOnly[index].Score, r.Intervals?.LocalOnly.ElementAtOrDefault(index));
    }

    private static string MeanSd(SeedSummary s, bool signed = false) =>
        double.IsNaN(s.StandardDeviation)
            ? signed ? Inv($"{s.Mean:+0.0000;-0.0000}") : Inv($"{s.Mean:0.0000}")
            : signed ? Inv($"{s.Mean:+0.0000;-0.0000} ± {s.StandardDeviation:0.0000}") : Inv($"{s.Mean:0.0000} ± {s.StandardDeviation:0.0000}");

    private static string Interval(SeedSummary s) => double.IsNaN(s.Low) ? "-" : Inv($"[{s.Low:0.0000}, {s.High:0.0000}]");

    private static string Inv(FormattableString text) => ReportWriter.Inv(text);
}
