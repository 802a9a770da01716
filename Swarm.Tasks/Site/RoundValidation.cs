namespace Swarm.Tasks;

/// <summary>The validation scores of round <paramref name="Round"/>'s global model that <paramref name="Sites"/> sites
/// reported on the chain, averaged with each site's validation images as weights (<paramref name="Images"/> in all).</summary>
public sealed record RoundValidation(int Round, double Auc, double Accuracy, int Sites, long Images)
{
    /// <summary>The weighted mean of <paramref name="reports"/> for <paramref name="round"/>, or null when none was
    /// reported (a site with no images counts once, so that a report is never lost from the mean).</summary>
    public static RoundValidation? Of(int round, IEnumerable<ValidationReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var list = reports.ToList();
        if (list.Count == 0)
        {
            return null;
        }
        double weights = 0, auc = 0, accuracy = 0;
        foreach (var report in list)
        {
            var weight = Math.Max(1, report.Count);
            weights += weight;
            auc += weight * report.Auc;
            accuracy += weight * report.Accuracy;
        }
        return new RoundValidation(round, auc / weights, accuracy / weights, list.Count, list.Sum(r => (long)r.Count));
    }
}
