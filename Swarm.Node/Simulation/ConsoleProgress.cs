using System.Collections.Concurrent;
using System.Globalization;
using Spectre.Console;
using Swarm.Node.Simulation.Reporting;

namespace Swarm.Node.Simulation;

/// <summary>Spectre.Console progress: a bar per site (rounds trained), one for committed rounds and one per
/// baseline phase, plus a line per committed round.</summary>
public sealed class ConsoleProgress : ISimulationProgress
{
    private readonly ProgressContext _context;
    private readonly ProgressTask _rounds;
    private readonly ConcurrentDictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
    private readonly int _roundCount;

    public ConsoleProgress(ProgressContext context, IEnumerable<string> sites, int rounds)
    {
        _context = context;
        _roundCount = rounds;
        foreach (var site in sites)
        {
            _tasks[site] = context.AddTask(site, maxValue: rounds);
        }
        _rounds = context.AddTask("rounds committed", maxValue: rounds);
    }

    public void SiteTrained(string site, int round, double loss, TimeSpan elapsed)
    {
        if (_tasks.TryGetValue(site, out var task))
        {
            task.Description = string.Create(CultureInfo.InvariantCulture, $"{site} r{round} loss {loss:F3} ({elapsed.TotalSeconds:F1}s)");
            task.Increment(1);
        }
    }

    public void RoundCommitted(RoundMetrics metrics)
    {
        _rounds.Increment(1);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"round {metrics.Round,3}/{_roundCount}: {metrics.Updates} updates, train loss {metrics.TrainLoss:F4}, " +
            $"val auc {metrics.ValidationAuc:F4} acc {metrics.ValidationAccuracy:F4}, {metrics.WallSeconds:F1}s, " +
            $"model {metrics.ModelHash[..16]}")));
    }

    public void PhaseStarted(string phase, int steps) => _tasks[phase] = _context.AddTask(phase, maxValue: Math.Max(1, steps));

    public void PhaseStep(string phase)
    {
        if (_tasks.TryGetValue(phase, out var task))
        {
            task.Increment(1);
        }
    }
}
