using System.Globalization;
using System.Security;
using System.Text;

namespace Swarm.Node.Simulation.Reporting;

/// <summary>A small, dependency-free SVG line chart for per-round curves.</summary>
public sealed class SvgLineChart(string title, string xLabel, string yLabel)
{
    private const int Width = 640;
    private const int Height = 400;
    private const int Margin = 56;
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    private readonly List<(string Name, IReadOnlyList<(double X, double Y)> Points, bool Dashed)> _series = [];

    /// <summary>Adds a curve; a dashed curve is drawn for constant baselines.</summary>
    public SvgLineChart Add(string name, IReadOnlyList<(double X, double Y)> points, bool dashed = false)
    {
        _series.Add((name, points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray(), dashed));
        return this;
    }

    public string Render()
    {
        var all = _series.SelectMany(s => s.Points).ToArray();
        var (xMin, xMax) = Range(all.Select(p => p.X));
        var (yMin, yMax) = Range(all.Select(p => p.Y));
        double Px(double x) => Margin + ((x - xMin) / (xMax - xMin) * (Width - (2 * Margin)));
        double Py(double y) => Height - Margin - ((y - yMin) / (yMax - yMin) * (Height - (2 * Margin)));

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(Invariant($"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));
        AppendAxes(svg, xMin, xMax, yMin, yMax, Px, Py);
        for (var i = 0; i < _series.Count; i++)
        {
            var (name, points, dashed) = _series[i];
            var color = Palette[i % Palette.Length];
            var path = string.Join(' ', points.Select(p => Invariant($"{Px(p.X):0.#},{Py(p.Y):0.#}")));
            var dash = dashed ? " stroke-dasharray=\"6,4\"" : "";
            svg.Append(Invariant($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash} points=\"{path}\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Width - Margin + 4}\" y=\"{Margin + (16 * i)}\" fill=\"{color}\">{Escape(name)}</text>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private void AppendAxes(StringBuilder svg, double xMin, double xMax, double yMin, double yMax, Func<double, double> px, Func<double, double> py)
    {
        svg.Append(Invariant($"<line x1=\"{Margin}\" y1=\"{Height - Margin}\" x2=\"{Width - Margin}\" y2=\"{Height - Margin}\" stroke=\"black\"/>\n"));
        svg.Append(Invariant($"<line x1=\"{Margin}\" y1=\"{Margin}\" x2=\"{Margin}\" y2=\"{Height - Margin}\" stroke=\"black\"/>\n"));
        for (var t = 0; t <= 4; t++)
        {
            var x = xMin + ((xMax - xMin) * t / 4);
            var y = yMin + ((yMax - yMin) * t / 4);
            svg.Append(Invariant($"<text x=\"{px(x):0.#}\" y=\"{Height - Margin + 16}\" text-anchor=\"middle\">{x:0.##}</text>\n"));
            svg.Append(Invariant($"<text x=\"{Margin - 6}\" y=\"{py(y) + 4:0.#}\" text-anchor=\"end\">{y:0.###}</text>\n"));
        }
        svg.Append(Invariant($"<text x=\"{Width / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        svg.Append(Invariant($"<text x=\"16\" y=\"{Height / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {Height / 2})\">{Escape(yLabel)}</text>\n"));
    }

    private static (double Min, double Max) Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0)
        {
            return (0, 1);
        }
        double min = list.Min(), max = list.Max();
        if (max - min < 1e-12)
        {
            return (min - 0.5, max + 0.5);
        }
        var pad = (max - min) * 0.05;
        return (min - pad, max + pad);
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
