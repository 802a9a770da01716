using Swarm.Learning.Aggregation;

namespace Swarm.Tasks;

/// <summary>Checks a task specification for internal consistency; each problem names the field and the fix.</summary>
public static class TaskSpecValidator
{
    private static readonly string[] Models = ["smallcnn", "resnet18", "resnet18-gn"];
    private static readonly string[] Optimizers = ["sgd", "adam"];
    private static readonly string[] PersonalizationModes = ["none", "finetune", "fedper"];

    public static IReadOnlyList<string> Problems(TaskSpec spec)
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        Check(IsValidId(spec.Id), $"task.id '{spec.Id}' must be 1-64 letters, digits, '-', '_' or '.'");
        Check(Models.Contains(spec.Model), $"task.model '{spec.Model}' is not in the zoo ({string.Join(", ", Models)})");
        Check(spec.Participants.Count >= 1, "task.participants must name at least one node");
        Check(spec.Participants.Distinct(StringComparer.Ordinal).Count() == spec.Participants.Count, "task.participants lists a node twice");
        foreach (var site in spec.Participants)
        {
            Check(spec.Datasets.ContainsKey(site), $"task.datasets has no data set for participant '{site}'");
        }
        foreach (var site in spec.Datasets.Keys)
        {
            Check(spec.Participants.Contains(site), $"task.datasets names '{site}', which is not a participant");
        }
        Check(spec.Rounds is >= 1 and <= 10_000, $"task.rounds {spec.Rounds} must be in [1, 10000]");
        Check(spec.LocalEpochs is >= 1 and <= 1_000, $"task.local-epochs {spec.LocalEpochs} must be in [1, 1000]");
        Check(Optimizers.Contains(spec.Optimizer.Name), $"task.optimizer.name '{spec.Optimizer.Name}' must be sgd or adam");
        Check(spec.Optimizer.LearningRate > 0, "task.optimizer.learning-rate must be positive");
        Check(spec.Optimizer.BatchSize >= 1, "task.optimizer.batch-size must be at least 1");
        Check(AggregationStrategies.Names.Contains(spec.Aggregation.Strategy),
            $"task.aggregation.strategy '{spec.Aggregation.Strategy}' must be one of {string.Join(", ", AggregationStrategies.Names)}");
        Check(spec.PartialShareFraction is > 0 and <= 1, $"task.partial-share-fraction {spec.PartialShareFraction} must be in (0, 1]");
        var quorum = spec.Quorum == 0 ? spec.Participants.Count : spec.Quorum;
        Check(quorum >= 1 && quorum <= spec.Participants.Count, $"task.quorum {spec.Quorum} must be in [1, {spec.Participants.Count}] (0 means all)");
        Check(spec.RoundDeadline > TimeSpan.Zero, "task.round-deadline must be positive");
        Check(PersonalizationModes.Contains(spec.Personalization.Mode), $"task.personalization.mode '{spec.Personalization.Mode}' must be none, finetune or fedper");
        Check(spec.Personalization.Mode != "fedper" || spec.Personalization.LocalLayers is { Count: > 0 },
            "task.personalization.local-layers must name the layers FedPer keeps local");
        Check(!spec.Privacy.DifferentialPrivacy || spec.Privacy.NoiseMultiplier > 0, "task.privacy.noise-multiplier must be positive with DP on");
        Check(!spec.Privacy.DifferentialPrivacy || spec.Privacy.ClipNorm > 0, "task.privacy.clip-norm must be positive with DP on");
        Check(spec.Privacy.Delta is > 0 and < 1, "task.privacy.delta must be in (0, 1)");
        // Refused until the rounds honour them, rather than accepted and silently ignored (a task would otherwise
        // ship updates without noise or masks while its spec says otherwise).
        Check(!spec.Privacy.DifferentialPrivacy,
            "task.privacy.differential-privacy = true is not supported yet: task rounds do not run DP-SGD, so the task is refused rather than trained without noise");
        Check(!spec.Privacy.SecureAggregation,
            "task.privacy.secure-aggregation = true is not supported yet: task rounds do not mask updates, so the task is refused rather than run with updates in the clear");
        return problems;
    }

    /// <summary>Whether <paramref name="id"/> is a task id: 1-64 ASCII letters, digits, '-', '_' or '.'.</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
