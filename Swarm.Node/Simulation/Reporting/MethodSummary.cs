using Swarm.Learning.Statistics;

namespace Swarm.Node.Simulation.Reporting;

/// <summary>One method's test AUC and ACC across seeds.</summary>
public sealed record MethodSummary(string Method, SeedSummary Auc, SeedSummary Accuracy)
{
    /// <summary>Seeds whose AUC is undefined (a model scored on one class) are left out of the AUC summary.</summary>
    public static MethodSummary Of(string method, IEnumerable<Score> scores)
    {
        var list = scores.ToList();
        return new MethodSummary(method, SeedSummary.Of(list.Select(s => s.Auc).Where(a => !double.IsNaN(a))),
            SeedSummary.Of(list.Select(s => s.Accuracy).Where(a => !double.IsNaN(a))));
    }
}
