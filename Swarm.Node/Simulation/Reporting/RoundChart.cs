using ScottPlot;

namespace Swarm.Node.Simulation.Reporting;

/// <summary>A per-round line chart drawn with ScottPlot: rounds on an axis with integer ticks only, the legend inside
/// the plot area, written as PNG and SVG. Reference values (a baseline's score) are drawn as dashed horizontal
/// lines across the rounds.</summary>
public sealed class RoundChart(string title, string yLabel)
{
    public const int Width = 800;
    public const int Height = 450;

    private readonly List<(string Name, double[] Rounds, double[] Values)> _series = [];
    private readonly List<(string Name, double Value)> _references = [];

    /// <summary>A curve over rounds; points whose value is not a finite number are left out.</summary>
    public RoundChart Add(string name, IEnumerable<(int Round, double Value)> points)
    {
        var finite = points.Where(p => double.IsFinite(p.Value)).ToList();
        _series.Add((name, [.. finite.Select(p => (double)p.Round)], [.. finite.Select(p => p.Value)]));
        return this;
    }

    /// <summary>A dashed horizontal line at <paramref name="value"/>; nothing when it is not finite.</summary>
    public RoundChart Reference(string name, double value)
    {
        if (double.IsFinite(value))
        {
            _references.Add((name, value));
        }
        return this;
    }

    public Plot Build()
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("round");
        plot.YLabel(yLabel);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        var palette = new ScottPlot.Palettes.Category10();
        var colour = 0;
        var last = 1.0;
        foreach (var (name, rounds, values) in _series)
        {
            var line = plot.Add.Scatter(rounds, values, palette.GetColor(colour++));
            line.LegendText = name;
            last = Math.Max(last, rounds.DefaultIfEmpty(1).Max());
        }
        foreach (var (name, value) in _references)
        {
            var line = plot.Add.HorizontalLine(value, 1.5f, palette.GetColor(colour++), LinePattern.Dashed);
            line.LegendText = name;
        }
        plot.Axes.SetLimitsX(0.75, last + 0.25);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>Writes <c>stem.png</c> and <c>stem.svg</c> into <paramref name="folder"/>; returns both paths.</summary>
    public IReadOnlyList<string> Save(string folder, string stem)
    {
        var plot = Build();
        var png = Path.Combine(folder, stem + ".png");
        var svg = Path.Combine(folder, stem + ".svg");
        plot.SavePng(png, Width, Height);
        plot.SaveSvg(svg, Width, Height);
        return [png, svg];
    }
}
