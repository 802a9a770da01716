using System.Globalization;
using System.Text.RegularExpressions;

namespace Swarm.Tests.Metrics;

/// <summary>One series of a scrape: its name, labels and value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A metric family: its type, help text and samples.</summary>
internal sealed record PrometheusFamily(string Name, string Type, string Help, List<PrometheusSample> Samples);

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4, for tests: it accepts only what the format
/// allows and fails on the first line that breaks a rule, naming the line. Rules checked: <c># HELP</c> and
/// <c># TYPE</c> lines name a valid metric, come before the family's samples and appear once per family; the type is
/// one of counter, gauge, histogram, summary, untyped; every sample belongs to a family declared before it (a
/// histogram's or summary's <c>_bucket</c>, <c>_sum</c>, <c>_count</c> included); metric and label names match the
/// format's character classes; label values are quoted with only <c>\\</c>, <c>\"</c> and <c>\n</c> escapes; a
/// label appears once per sample; no series (name and labels) appears twice; values are floats (or NaN, +Inf,
/// -Inf), an optional timestamp an integer; a counter is never negative; the text ends with a newline.
/// </summary>
internal static partial class PrometheusTextParser
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static IReadOnlyDictionary<string, PrometheusFamily> Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition does not end with a newline");
        }
        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var (line, number) = (lines[i], i + 1);
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                Comment(line, number, families);
                continue;
            }
            var sample = Sample(line, number);
            var family = FamilyOf(sample.Name, families)
                ?? throw Fail(number, $"sample '{sample.Name}' has no # TYPE line before it");
            if (family.Type == "counter" && sample.Value < 0)
            {
                throw Fail(number, $"counter '{sample.Name}' is negative");
            }
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!seen.Add(key))
            {
                throw Fail(number, $"series {key} appears twice");
            }
            family.Samples.Add(sample);
        }
        return families;
    }

    private static void Comment(string line, int number, Dictionary<string, PrometheusFamily> families)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE"))
        {
            return; // an ordinary comment
        }
        var name = parts[2];
        if (!MetricName().IsMatch(name))
        {
            throw Fail(number, $"'{name}' is not a metric name");
        }
        var rest = parts.Length > 3 ? parts[3] : "";
        families.TryGetValue(name, out var family);
        if (family is not null && family.Samples.Count > 0)
        {
            throw Fail(number, $"# {parts[1]} for '{name}' after its samples");
        }
        if (parts[1] == "TYPE")
        {
            if (!Types.Contains(rest))
            {
                throw Fail(number, $"type '{rest}' is not one of {string.Join(", ", Types)}");
            }
            if (family is { Type.Length: > 0 })
            {
                throw Fail(number, $"a second # TYPE for '{name}'");
            }
            families[name] = (family ?? new PrometheusFamily(name, "", "", [])) with { Type = rest };
        }
        else
        {
            if (family is { Help.Length: > 0 })
            {
                throw Fail(number, $"a second # HELP for '{name}'");
            }
            families[name] = (family ?? new PrometheusFamily(name, "", "", [])) with { Help = rest };
        }
    }

    private static PrometheusFamily? FamilyOf(string sample, Dictionary<string, PrometheusFamily> families)
    {
        if (families.TryGetValue(sample, out var family) && family.Type.Length > 0)
        {
            return family;
        }
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && families.TryGetValue(sample[..^suffix.Length], out var parent)
                && parent.Type is "histogram" or "summary" && (suffix != "_bucket" || parent.Type == "histogram"))
            {
                return parent;
            }
        }
        return null;
    }

    private static PrometheusSample Sample(string line, int number)
    {
        var name = MetricNamePrefix().Match(line);
        if (!name.Success)
        {
            throw Fail(number, "a sample must start with a metric name");
        }
        var position = name.Length;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position = Labels(line, position + 1, number, labels);
        }
        if (position >= line.Length || line[position] != ' ')
        {
            throw Fail(number, "a single space must separate the series from its value");
        }
        var fields = line[(position + 1)..].Split(' ');
        if (fields.Length > 2 || fields.Any(f => f.Length == 0))
        {
            throw Fail(number, "after the series only a value and an optional timestamp may follow, one space apart");
        }
        if (fields.Length == 2 && !long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw Fail(number, $"timestamp '{fields[1]}' is not an integer");
        }
        return new PrometheusSample(name.Value, labels, Value(fields[0], number));
    }

    private static int Labels(string line, int position, int number, Dictionary<string, string> labels)
    {
        while (true)
        {
            if (position < line.Length && line[position] == '}')
            {
                return position + 1;
            }
            var label = LabelName().Match(line, position);
            if (!label.Success || label.Index != position)
            {
                throw Fail(number, $"a label name is expected at column {position + 1}");
            }
            position += label.Length;
            if (position + 1 >= line.Length || line[position] != '=' || line[position + 1] != '"')
            {
                throw Fail(number, $"label '{label.Value}' must be followed by =\"");
            }
            position += 2;
            var value = new System.Text.StringBuilder();
            while (true)
            {
                if (position >= line.Length)
                {
                    throw Fail(number, $"the value of label '{label.Value}' is not closed");
                }
                var c = line[position++];
                if (c == '"')
                {
                    break;
                }
                if (c == '\\')
                {
                    var escaped = position < line.Length ? line[position++] : ' ';
                    value.Append(escaped switch
                    {
                        '\\' => '\\',
                        '"' => '"',
                        'n' => '\n',
                        _ => throw Fail(number, $"'\\{escaped}' is not an escape the format allows"),
                    });
                    continue;
                }
                value.Append(c);
            }
            if (!labels.TryAdd(label.Value, value.ToString()))
            {
                throw Fail(number, $"label '{label.Value}' appears twice");
            }
            if (position < line.Length && line[position] == ',')
            {
                position++;
            }
            else if (position >= line.Length || line[position] != '}')
            {
                throw Fail(number, "labels must be separated by ',' and closed by '}'");
            }
        }
    }

    private static double Value(string text, int number) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ when FloatText().IsMatch(text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw Fail(number, $"'{text}' is not a sample value"),
    };

    private static FormatException Fail(int line, string problem) => new($"line {line}: {problem}");

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricNamePrefix();

    [GeneratedRegex("[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelName();

    [GeneratedRegex("^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$")]
    private static partial Regex FloatText();
}
