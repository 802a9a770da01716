namespace Swarm.Tasks;

/// <summary>What a <c>dopamine</c> task needs (<see cref="DopamineTerms"/>, docs/privacy.md "Dopamine"); each refusal
/// says why, as the rest of <see cref="TaskSpecValidator"/> does.</summary>
internal static class DopamineRules
{
    public static void Check(TaskSpec spec, Action<bool, string> check)
    {
        check(spec.Privacy.SecureAggregation,
            "task.privacy.mode = dopamine needs task.privacy.secure-aggregation = true: each site adds only σ/√m of the noise, so its " +
            "update in the clear would carry almost none; only the secure sum holds the noise of central DP-SGD");
        check(spec.Optimizer.Name == "sgd" && spec.Optimizer.Momentum == 0,
            $"task.privacy.mode = dopamine needs task.optimizer.name = sgd with momentum = 0 (it has {spec.Optimizer.Name}, momentum " +
            $"{spec.Optimizer.Momentum}): a round is one step of central DP-SGD, and each site's optimizer state would be its own, " +
            "not the swarm's, so the sum of the updates would not be that step");
        check(spec.LocalEpochs == 1,
            $"task.local-epochs {spec.LocalEpochs} must be 1 under task.privacy.mode = dopamine: every round is exactly one DP-SGD step " +
            "(task.rounds counts the steps)");
    }
}
