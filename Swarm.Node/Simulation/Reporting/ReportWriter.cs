using System.Globalization;
using System.Text;
using System.Text.Json;
using Swarm.Learning.Statistics;

namespace Swarm.Node.Simulation.Reporting;

/// <summary>Writes a simulation's report folder: report.md, results.json, per-round curves (PNG and SVG, ScottPlot), the chain's
/// blocks and the configuration used.</summary>
public static class ReportWriter
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes every file into <paramref name="folder"/> (created if missing) and returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string folder, SimulationResults results)
    {
        Directory.CreateDirectory(folder);
        var files = new Dictionary<string, string>
        {
            ["results.json"] = JsonSerializer.Serialize(ToJson(results), Json),
            ["report.md"] = Markdown(results),
            ["config.conf"] = results.Configuration,
        };
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Combine(folder, name), text);
        }
        return
        [
            .. files.Keys.Select(name => Path.Combine(folder, name)),
            .. AucChart(results).Save(folder, "curves-auc"),
            .. LossChart(results).Save(folder, "curves-loss"),
        ];
    }

    private static object ToJson(SimulationResults r) => new
    {
        r.Dataset,
        r.Model,
        r.Sites,
        r.Seed,
        r.Partition,
        Final = new
        {
            r.Swarm,
            r.SwarmPerSite,
            r.Centralized,
            r.CentralDp,
            LocalOnlyMean = r.LocalOnlyMean,
            LocalOnly = r.LocalOnly,
            Personalized = r.Personalized,
        },
        r.Validation,
        TestIntervals = r.Intervals,
        r.SiteData,
        r.Rounds,
        r.Blocks,
        r.Timings,
        r.Privacy,
        r.CentralDpPrivacy,
        r.Notes,
    };

    /// <summary>The swarm's validation AUC per round beside the baselines' validation AUC of their selected epoch:
    /// validation against validation (the test scores are in the table, with intervals).</summary>
    public static RoundChart AucChart(SimulationResults r)
    {
        var chart = new RoundChart($"{r.Dataset} / {r.Model}: validation AUC per round", "validation AUC")
            .Add("swarm", r.Rounds.Select(m => (m.Round, m.ValidationAuc)));
        if (r.Validation is { } validation)
        {
            chart.Reference("centralized (selected epoch)", validation.Centralized)
                .Reference("local-only mean (selected epochs)", validation.LocalOnlyMean);
        }
        return chart;
    }

    public static RoundChart LossChart(SimulationResults r) =>
        new RoundChart($"{r.Dataset} / {r.Model}: mean training loss per round", "training loss")
            .Add("swarm", r.Rounds.Select(m => (m.Round, m.TrainLoss)));

    private static string Markdown(SimulationResults r)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv($"# Swarm simulation: {r.Dataset}, {r.Model}, {r.Sites} sites ({r.Partition}, seed {r.Seed})"));
        md.AppendLine();
        md.AppendLine("| method | test AUC | test ACC | test AUC 95 % CI (bootstrap) |");
        md.AppendLine("|---|---|---|---|");
        var intervals = r.Intervals;
        Row(md, r.SwarmPerSite.Count > 0 ? "swarm (mean of the sites' models: shared layers + own local layers)" : "swarm (global model)", r.Swarm, intervals?.Swarm);
        foreach (var site in r.SwarmPerSite)
        {
            Row(md, $"swarm {site.Site} (shared layers + own local layers)", site.Score, null);
        }
        Row(md, "centralized", r.Centralized, intervals?.Centralized);
        if (r.CentralDp is { } centralDp)
        {
            Row(md, Inv($"centralized DP-SGD (ε = {r.CentralDpPrivacy!.Epsilon:0.###})"), centralDp, null);
        }
        Row(md, "local-only (mean over sites)", r.LocalOnlyMean, intervals?.LocalOnlyMean);
        for (var s = 0; s < r.LocalOnly.Count; s++)
        {
            Row(md, $"local-only {r.LocalOnly[s].Site}", r.LocalOnly[s].Score, intervals?.LocalOnly.ElementAtOrDefault(s));
        }
        if (intervals is not null)
        {
            Differences(md, intervals);
        }
        Table(md, "Sites", "Training images per class at each site (the split the local-only rows train on), and the sizes of its validation and test slices.",
            ["site", "training images", "per class", "validation", "test"],
            r.SiteData.Select(d => Inv($"| {d.Site} | {d.TrainPerClass.Sum()} | {string.Join(" / ", d.TrainPerClass)} | {d.Validation} | {d.Test} |")));
        if (r.Personalized.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Personalization (each site's own test split)");
            md.AppendLine();
            md.AppendLine("| site | global AUC | personalized AUC | global ACC | personalized ACC |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var p in r.Personalized)
            {
                md.AppendLine(Inv($"| {p.Site} | {p.Global.Auc:0.0000} | {p.Personalized.Auc:0.0000} | {p.Global.Accuracy:0.0000} | {p.Personalized.Accuracy:0.0000} |"));
            }
            var global = Score.Mean(r.Personalized.Select(p => p.Global));
            var personalized = Score.Mean(r.Personalized.Select(p => p.Personalized));
            md.AppendLine(Inv($"| mean | {global.Auc:0.0000} | {personalized.Auc:0.0000} | {global.Accuracy:0.0000} | {personalized.Accuracy:0.0000} |"));
            md.AppendLine();
            md.AppendLine("AUC is undefined (NaN) on a site test slice that holds one class only; means are over the sites that define it.");
        }
        md.AppendLine();
        md.AppendLine("## Rounds");
        md.AppendLine();
        md.AppendLine("| round | val AUC | val ACC | train loss | updates | wall s | model hash |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var m in r.Rounds)
        {
            md.AppendLine(Inv($"| {m.Round} | {m.ValidationAuc:0.0000} | {m.ValidationAccuracy:0.0000} | {m.TrainLoss:0.0000} | {m.Updates} | {m.WallSeconds:0.00} | `{Short(m.ModelHash)}` |"));
        }
        md.AppendLine();
        md.AppendLine("![validation AUC](curves-auc.png) ![training loss](curves-loss.png)");
        md.AppendLine();
        md.AppendLine("## Chain");
        md.AppendLine();
        md.AppendLine("| height | kind | round | proposer | signatures | hash |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var b in r.Blocks)
        {
            md.AppendLine(Inv($"| {b.Height} | {b.Kind} | {b.Round?.ToString(CultureInfo.InvariantCulture) ?? "-"} | {b.Proposer} | {b.Signatures} | `{Short(b.Hash)}` |"));
        }
        if (r.Blocks.Count == 0)
        {
            md.AppendLine("| - | - | - | - | - | - |");
            md.AppendLine();
            md.AppendLine("No chain blocks: this run commits no blocks (see the notes below).");
        }
        Table(md, "Blob transfer (node processes)",
            "Models and updates travel by blob transfer (mutual TLS, resumable, checked against their hash); actor messages carry hashes only.",
            ["round", "blobs", "MB", "fetch s (summed over nodes)", "slowest node s"],
            r.Transfers.Select(t => Inv($"| {t.Round} | {t.Blobs} | {t.Bytes / 1e6:0.0} | {t.Seconds:0.00} | {t.SlowestSeconds:0.00} |")));
        Table(md, "Privacy spent (local DP, as the chain recorded it)", null,
            ["site", "samples", "q", "σ", "DP-SGD steps", "δ", "ε"],
            (r.CentralDpPrivacy is { } central && r.Privacy.Count > 0 ? [.. r.Privacy, central] : r.Privacy).Select(p =>
                Inv($"| {p.Site} | {p.Samples} | {p.SamplingRate:0.#####} | {p.NoiseMultiplier:0.###} | {p.Steps} | {p.Delta:G3} | {p.Epsilon:0.###} |")));
        Table(md, "Wall time", null, ["part", "seconds"], r.Timings.Select(t => Inv($"| {t.Method} | {t.WallSeconds:0.0} |")));
        if (r.Notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var note in r.Notes)
            {
                md.AppendLine("- " + note);
            }
        }
        md.AppendLine();
        md.AppendLine("The exact configuration is in `config.conf`; every number above is in `results.json`.");
        return md.ToString();
    }

    /// <summary>A section with one table, left out when it has no rows.</summary>
    private static void Table(StringBuilder md, string heading, string? intro, IReadOnlyList<string> columns, IEnumerable<string> rows)
    {
        var lines = rows.ToList();
        if (lines.Count == 0)
        {
            return;
        }
        md.AppendLine();
        md.AppendLine("## " + heading);
        md.AppendLine();
        if (intro is not null)
        {
            md.AppendLine(intro);
            md.AppendLine();
        }
        md.AppendLine("| " + string.Join(" | ", columns) + " |");
        md.AppendLine("|" + string.Concat(columns.Select(_ => "---|")));
        lines.ForEach(line => md.AppendLine(line));
    }

    private static void Row(StringBuilder md, string name, Score s, BootstrapInterval? interval) =>
        md.AppendLine(Inv($"| {name} | {s.Auc:0.0000} | {s.Accuracy:0.0000} | {Range(interval)} |"));

    /// <summary>The paired bootstrap differences of one run, with the test named.</summary>
    private static void Differences(StringBuilder md, TestIntervals intervals)
    {
        md.AppendLine();
        md.AppendLine(Inv($"Intervals: percentile bootstrap over the test images ({intervals.Resamples} resamples, seed {intervals.Seed}).")
            + " Differences are paired (both models scored on the same resamples); a difference is significant at 5 % when its interval excludes 0.");
        md.AppendLine();
        md.AppendLine("| difference of test AUC | estimate | 95 % CI (paired bootstrap) | significant |");
        md.AppendLine("|---|---|---|---|");
        foreach (var (name, d) in new[] { ("swarm − local-only mean", intervals.SwarmMinusLocalOnlyMean), ("swarm − centralized", intervals.SwarmMinusCentralized) })
        {
            md.AppendLine(Inv($"| {name} | {d.Estimate:+0.0000;-0.0000} | {Range(d)} | {(d.ExcludesZero ? "yes" : "no")} |"));
        }
    }

    /// <summary>An interval as [low, high], or a dash when there is none.</summary>
    public static string Range(BootstrapInterval? interval) =>
        interval is null || double.IsNaN(interval.Low) ? "-" : Inv($"[{interval.Low:0.0000}, {interval.High:0.0000}]");

    private static string Short(string hash) => hash.Length > 16 ? hash[..16] : hash;

    public static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
