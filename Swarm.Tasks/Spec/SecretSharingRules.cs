namespace Swarm.Tasks;

/// <summary>What secret-sharing aggregation in the rounds needs (docs/privacy.md, "Secret sharing in the rounds"):
/// every site's update is split among all participants and only the total is ever readable, so whatever must look
/// at one update alone, or depends on one, is refused with the reason, as under secure aggregation.</summary>
public static class SecretSharingRules
{
    public static void Check(TaskSpec spec, int quorum, Action<bool, string> check)
    {
        var n = spec.Participants.Count;
        check(!spec.Privacy.SecureAggregation,
            "task.privacy.secret-sharing and task.privacy.secure-aggregation cannot both be on: each is a way of summing the updates " +
            "(secret sharing without dropouts, secure aggregation with them); choose one");
        check(n >= 3, $"task.privacy.secret-sharing needs at least 3 participants: with {n} the total gives each site the other's update");
        check(spec.Aggregation.Strategy == "fedavg",
            $"task.aggregation.strategy {spec.Aggregation.Strategy} cannot run with task.privacy.secret-sharing: it needs each site's update " +
            "on its own (median, trimmed mean and Krum compare updates), and secret sharing reveals only their sum; use fedavg");
        check(spec.PartialShareFraction >= 1.0,
            $"task.partial-share-fraction {spec.PartialShareFraction} cannot run with task.privacy.secret-sharing: each site's top-θ " +
            "coordinates depend on its private update, so the set itself would leak it; use 1.0");
        check(quorum == n, $"task.quorum {quorum} cannot run with task.privacy.secret-sharing: every participant holds a share of every " +
            $"update, so a round needs all {n} sites (dropouts are secure aggregation's job); leave the quorum at 0 or {n}");
    }
}
