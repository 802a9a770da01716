using Swarm.Learning.Aggregation;

namespace Swarm.Tasks;

/// <summary>Checks a task specification for internal consistency; each problem names the field and the fix.</summary>
public static class TaskSpecValidator
{
    private static readonly string[] Models = ["smallcnn", "resnet18", "resnet18-gn"];
    private static readonly string[] Optimizers = ["sgd", "adam"];
    private static readonly string[] PersonalizationModes = ["none", "finetune", "fedper"];

    /// <summary>Models whose trainable layers give per-example gradients (Linear, Conv2d, GroupNorm), as DP-SGD needs.</summary>
    private static readonly string[] DpModels = ["smallcnn", "resnet18-gn"];

    /// <summary>Largest noise multiplier accepted: beyond it the noise drowns any update, so it is a typo.</summary>
    public const double NoiseMultiplierMax = 1_000;

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
        var f = spec.Aggregation.Byzantine;
        Check(f is >= 0 and <= 1_000, $"task.aggregation.byzantine {f} must be in [0, 1000]");
        Check(spec.Aggregation.TrimFraction is >= 0 and < 0.5, $"task.aggregation.trim-fraction {spec.Aggregation.TrimFraction} must be in [0, 0.5)");
        problems.AddRange(spec.Metadata?.Problems() ?? []);
        Check(spec.Aggregation.SampleCountMax >= 0, $"task.aggregation.sample-count-max {spec.Aggregation.SampleCountMax} must be 0 (no bound) or positive");
        // A coordinate needs 2f + 1 sharers under the median and the trimmed mean; with fewer updates in a round
        // than that nothing would ever move. Krum needs 2f + 3 updates (Blanchard et al. 2017, §4).
        var least = spec.Aggregation.Strategy switch
        {
            "median" or "trimmed-mean" => (2 * f) + 1,
            "krum" => (2 * f) + 3,
            _ => 1,
        };
        Check(quorum >= least, $"task.aggregation.strategy {spec.Aggregation.Strategy} with byzantine = {f} needs at least {least} updates per round; task.quorum gives {quorum}");
        Check(SharingSpec.Scopes.Contains(spec.Sharing.Scope), $"task.partial-share-scope '{spec.Sharing.Scope}' must be global or layer");
        Check(PersonalizationModes.Contains(spec.Personalization.Mode), $"task.personalization.mode '{spec.Personalization.Mode}' must be none, finetune or fedper");
        Check(spec.Personalization.Mode != "fedper" || spec.Personalization.LocalLayers is { Count: > 0 },
            "task.personalization.local-layers must name the layers FedPer keeps local");
        var privacy = spec.Privacy;
        Check(PrivacyModes.All.Contains(privacy.Mode), $"task.privacy.mode '{privacy.Mode}' must be one of {string.Join(", ", PrivacyModes.All)}");
        Check(!privacy.DifferentialPrivacy || privacy.NoiseMultiplier is > 0 and <= NoiseMultiplierMax,
            $"task.privacy.noise-multiplier {privacy.NoiseMultiplier} must be in (0, {NoiseMultiplierMax}] with DP on");
        Check(!privacy.DifferentialPrivacy || (privacy.ClipNorm > 0 && double.IsFinite(privacy.ClipNorm)),
            $"task.privacy.clip-norm {privacy.ClipNorm} must be positive and finite with DP on");
        Check(privacy.Delta is > 0 and < 1, "task.privacy.delta must be in (0, 1)");
        Check(!privacy.DifferentialPrivacy || DpModels.Contains(spec.Model),
            $"task.privacy.mode = {privacy.Mode} needs per-example gradients, which model '{spec.Model}' does not give (BatchNorm mixes the " +
            $"examples of a batch): use {string.Join(" or ", DpModels)}");
        if (privacy.Mode == PrivacyModes.Dopamine)
        {
            DopamineRules.Check(spec, Check);
        }
        if (privacy.SecureAggregation)
        {
            CheckSecureAggregation(spec, quorum, Check);
        }
        if (privacy.SecretSharing)
        {
            SecretSharingRules.Check(spec, quorum, Check);
        }
        if (spec.Transfer is { } transfer)
        {
            TransferSpec.Check(transfer, spec, Check);
        }
        DataVectorRules.Check(spec, Check);
        return problems;
    }

    /// <summary>What secure aggregation in the rounds needs (docs/secure-aggregation.md): masks hide each update,
    /// so everything that must look at one update alone, or that depends on one, is refused with the reason.</summary>
    private static void CheckSecureAggregation(TaskSpec spec, int quorum, Action<bool, string> check)
    {
        var n = spec.Participants.Count;
        var t = ChainSecAggTerms.ThresholdFor(n);
        check(n >= 3, $"task.privacy.secure-aggregation needs at least 3 participants: with {n} the sum gives each site the other's update");
        check(spec.Aggregation.Strategy == "fedavg",
            $"task.aggregation.strategy {spec.Aggregation.Strategy} cannot run with task.privacy.secure-aggregation: it needs each site's update " +
            "on its own (median, trimmed mean and Krum compare updates), and secure aggregation reveals only their sum; use fedavg");
        check(spec.PartialShareFraction >= 1.0,
            $"task.partial-share-fraction {spec.PartialShareFraction} cannot run with task.privacy.secure-aggregation: each site's top-θ " +
            "coordinates depend on its private update, so the set itself would leak it and the masked sums of different sets do not add up; use 1.0");
        check(quorum >= t, $"task.quorum {quorum} is below secure aggregation's threshold t = {t} for {n} sites: a round's sum can be unmasked " +
            "only with at least t survivors");
    }

    /// <summary>Whether <paramref name="id"/> is a task id: 1-64 ASCII letters, digits, '-', '_' or '.'.</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
