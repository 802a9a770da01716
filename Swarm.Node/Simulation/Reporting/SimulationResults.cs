namespace Swarm.Node.Simulation.Reporting;

/// <summary>Everything a simulation reports: final scores per method, per-round curves, the chain's blocks and
/// the exact configuration used. Serialized as results.json.</summary>
public sealed record SimulationResults(
    string Dataset,
    string Model,
    int Sites,
    int Seed,
    string Partition,
    Score Swarm,
    Score Centralized,
    IReadOnlyList<SiteScore> LocalOnly,
    IReadOnlyList<PersonalizedScore> Personalized,
    IReadOnlyList<RoundMetrics> Rounds,
    IReadOnlyList<BlockSummary> Blocks,
    string Configuration)
{
    /// <summary>With FedPer local layers: each site's model (the global shared layers and its own local layers) on
    /// the full test split; <see cref="Swarm"/> is then their mean. Empty without local layers.</summary>
    public IReadOnlyList<SiteScore> SwarmPerSite { get; init; } = [];

    /// <summary>Wall time of each part of the run.</summary>
    public IReadOnlyList<MethodTiming> Timings { get; init; } = [];

    /// <summary>What each site holds: the split a reader needs to judge the local-only rows.</summary>
    public IReadOnlyList<SiteHoldings> SiteData { get; init; } = [];

    /// <summary>Wall time of the whole run, every method.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Blob transfer per round between node processes (empty in a one-process simulation, where sites read
    /// each other's stores).</summary>
    public IReadOnlyList<RoundTraffic> Transfers { get; init; } = [];

    /// <summary>Plain statements about how the numbers were obtained (model selection, what the chain holds).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Under local DP: each site's privacy spent as the task's chain recorded it (empty without DP).</summary>
    public IReadOnlyList<SitePrivacySpent> Privacy { get; init; } = [];

    /// <summary>Under local DP: the central DP-SGD baseline's test score (null without DP).</summary>
    public Score? CentralDp { get; init; }

    /// <summary>Under local DP: the central DP-SGD baseline's parameters and ε.</summary>
    public SitePrivacySpent? CentralDpPrivacy { get; init; }

    /// <summary>Validation AUC of each method's selected model: what defaults may be chosen on (never the test).</summary>
    public ValidationScores? Validation { get; init; }

    /// <summary>The test-set bootstrap of this run (null when not computed).</summary>
    public TestIntervals? Intervals { get; init; }

    /// <summary>The mean of the local-only baselines over the sites.</summary>
    public Score LocalOnlyMean => Score.Mean(LocalOnly.Select(s => s.Score));
}

/// <summary>What all nodes together fetched by blob transfer while in <paramref name="Round"/>: blobs, bytes, and
/// the fetches' seconds summed over nodes; <paramref name="SlowestSeconds"/> is the largest one node spent.</summary>
public sealed record RoundTraffic(int Round, int Blobs, long Bytes, double Seconds, double SlowestSeconds);

/// <summary>Test AUC and accuracy of one model.</summary>
public sealed record Score(double Auc, double Accuracy)
{
    /// <summary>The mean of each metric over the scores where it is defined: AUC is undefined (NaN) on a slice
    /// holding one class only, as a skewed site's own test slice can. NaN when no score defines it.</summary>
    public static Score Mean(IEnumerable<Score> scores)
    {
        var list = scores.ToList();
        return new Score(DefinedMean(list.Select(s => s.Auc)), DefinedMean(list.Select(s => s.Accuracy)));
    }

    private static double DefinedMean(IEnumerable<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }
}

/// <summary>Validation AUC of each method's selected model: the swarm's best round on the global validation split,
/// centralized's best epoch on the same split, and the mean over sites of each local-only model's best epoch on its
/// own validation slice.</summary>
public sealed record ValidationScores(double Swarm, double Centralized, double LocalOnlyMean);

/// <summary>A site's share of the data: training images per class, and the sizes of its validation and test slices.</summary>
public sealed record SiteHoldings(string Site, IReadOnlyList<int> TrainPerClass, int Validation, int Test);

/// <summary>One site's score.</summary>
public sealed record SiteScore(string Site, Score Score);

/// <summary>The global and the personalized model, both on one site's own test split.</summary>
public sealed record PersonalizedScore(string Site, Score Global, Score Personalized);

/// <summary>The metrics of one committed round.</summary>
public sealed record RoundMetrics(int Round, double ValidationAuc, double ValidationAccuracy, double TrainLoss, double WallSeconds, int Updates, string ModelHash);

/// <summary>A line per block of the task's chain.</summary>
public sealed record BlockSummary(long Height, string Hash, string Kind, int? Round, string Proposer, int Signatures);

/// <summary>How long one part of a simulation took.</summary>
public sealed record MethodTiming(string Method, double WallSeconds);

/// <summary>A site's privacy spent over the task under local DP: the accountant's parameters and ε at δ, read from
/// the last update the chain recorded for the site.</summary>
public sealed record SitePrivacySpent(string Site, long Samples, double SamplingRate, double NoiseMultiplier, long Steps, double Delta, double Epsilon);
