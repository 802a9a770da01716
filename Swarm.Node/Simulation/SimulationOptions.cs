using Swarm.Tasks;
using System.Globalization;
using System.Text;
using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Data.Partitioning;
using Swarm.Learning.Training;

namespace Swarm.Node.Simulation;

/// <summary>Everything a simulation run is made of. The defaults are the ones <c>swarm simulate</c> uses.</summary>
public sealed record SimulationOptions
{
    public int Sites { get; init; } = 4;
    public string Dataset { get; init; } = "pneumoniamnist";
    public string Model { get; init; } = "smallcnn";
    public int Rounds { get; init; } = 8;
    public int LocalEpochs { get; init; } = 1;
    /// <summary>The top-θ fraction of Δ each site shares per round.</summary>
    public double Theta { get; init; } = 1.0;
    public string Strategy { get; init; } = "fedavg";
    /// <summary>With θ &lt; 1: keep each site's unsent Δ for the next round (error feedback).</summary>
    public bool ErrorFeedback { get; init; } = true;
    /// <summary>With θ &lt; 1: <c>global</c> or <c>layer</c> top-θ selection.</summary>
    public string TopKScope { get; init; } = SharingSpec.GlobalScope;
    /// <summary>Updates needed to close a round (k of n); 0 means all sites.</summary>
    public int Quorum { get; init; }
    /// <summary><c>hospital</c> (quantity and label skew, the default), <c>iid</c> or <c>dirichlet</c> (label skew only).</summary>
    public string Partition { get; init; } = "hospital";
    /// <summary>Dirichlet concentration of the label skew (<c>dirichlet</c> and <c>hospital</c>).</summary>
    public double Alpha { get; init; } = 0.3;
    /// <summary>With <c>hospital</c>: site s holds a share of the data proportional to (s + 1)^−γ.</summary>
    public double SizeExponent { get; init; } = DefaultSizeExponent;
    public const double DefaultSizeExponent = 1.5;
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = 2;
    public double LearningRate { get; init; } = 1e-3;
    public int BatchSize { get; init; } = 64;
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.MultiStep;
    public int PersonalizationEpochs { get; init; } = 2;
    /// <summary>Personalization fine-tunes at this fraction of the base learning rate.</summary>
    public double PersonalizationRateFactor { get; init; } = 0.1;
    /// <summary>Uses only the first N training images when positive (quick checks).</summary>
    public int TrainLimit { get; init; }

    /// <summary>How long a site waits for a round to close before it asks the chain to close it with the updates
    /// recorded so far (k of n is then not required).</summary>
    public TimeSpan RoundDeadline { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>FedPer: parameter name prefixes (e.g. <c>fc2</c>) each site keeps local for the whole task.</summary>
    public IReadOnlyList<string> LocalLayers { get; init; } = [];

    /// <summary>Byzantine sites by index: <c>poison</c> (publishes −20 × Δ) or <c>wrong-hash</c> (votes a forged
    /// aggregate), for studying robust aggregation and the chain's outvoting.</summary>
    public IReadOnlyDictionary<int, string> Byzantine { get; init; } = new Dictionary<int, string>();

    /// <summary>The task's privacy mode: <c>none</c> or <c>local</c> (every site runs DP-SGD in every local step;
    /// ε per site in the report). <c>dopamine</c> is refused with the task validator's reason (it needs secure aggregation
    /// and plain SGD, and simulate trains with Adam); <c>swarm experiment dopamine</c> runs Dopamine's comparison.</summary>
    public string Dp { get; init; } = PrivacyModes.None;

    /// <summary>σ of DP-SGD: the noise's standard deviation is σ × <see cref="ClipNorm"/>.</summary>
    public double NoiseMultiplier { get; init; } = 1.0;

    /// <summary>C: each example's gradient is clipped to this L2 norm.</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>δ at which ε is reported.</summary>
    public double Delta { get; init; } = 1e-4;

    /// <summary>Secure aggregation in every round: sites publish only masked updates (docs/secure-aggregation.md).</summary>
    public bool SecureAggregation { get; init; }

    /// <summary>Additive secret sharing in every round: sites publish only sealed shares and partial sums
    /// (docs/privacy.md, "Secret sharing in the rounds").</summary>
    public bool SecretSharing { get; init; }

    /// <summary>Run only the swarm (no centralized and no local-only baselines; their scores are NaN): for experiments
    /// that take the baselines from another run of the same seed.</summary>
    public bool SwarmOnly { get; init; }

    /// <summary>The task spec's privacy block these options ask for.</summary>
    public PrivacySpec Privacy => new(Dp, NoiseMultiplier, ClipNorm, Delta, SecureAggregation, SecretSharing);

    /// <summary>Run the sites as node processes on loopback (mutual TLS) instead of actors in this process.</summary>
    public bool Processes { get; init; }

    /// <summary>With <see cref="Processes"/>: node i listens for peers on PortBase + i and for HTTP on PortBase + 100 + i.</summary>
    public int PortBase { get; init; } = 27500;

    /// <summary>A problem found while parsing the command line, reported by <see cref="Validate"/>.</summary>
    public string? OptionProblem { get; init; }

    /// <summary>The behaviour of site <paramref name="index"/>.</summary>
    public SiteBehavior BehaviorOf(int index) => Byzantine.GetValueOrDefault(index) switch
    {
        "poison" => new SiteBehavior.PoisonedUpdate(-20),
        "wrong-hash" => new SiteBehavior.WrongAggregateHash(),
        _ => SiteBehavior.Honest,
    };

    /// <summary>Parses <c>--byzantine</c>: <c>INDEX=KIND</c> pairs separated by commas (e.g. <c>3=poison</c>).</summary>
    public static IReadOnlyDictionary<int, string> ParseByzantine(string? text, out string? problem)
    {
        problem = null;
        var result = new Dictionary<int, string>();
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || parts[1] is not ("poison" or "wrong-hash"))
            {
                problem = $"--byzantine '{pair}' is not INDEX=poison or INDEX=wrong-hash";
                return result;
            }
            result[index] = parts[1];
        }
        return result;
    }

    private const int KrumUpdatesMin = 5;
    private const int CoordinateSharersMin = 3;

    /// <summary>How every method trains: Adam at the learning rate, batch size, seed and threads of these options.</summary>
    public TrainOptions TrainOptions() => new()
    {
        Optimizer = OptimizerKind.Adam,
        LearningRate = LearningRate,
        BatchSize = BatchSize,
        Seed = (ulong)Seed,
        Threads = Threads,
    };

    /// <summary>The task these options describe, with <paramref name="participants"/> (by default sites
    /// <c>site-0</c> …) as its participants.</summary>
    public TaskSpec ToTaskSpec(IReadOnlyList<string>? participants = null)
    {
        var sites = participants ?? [.. Enumerable.Range(0, Sites).Select(SimulationRunner.SiteId)];
        return new TaskSpec
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"simulate-{Seed}"),
            Model = Model,
            Participants = sites,
            Datasets = sites.ToDictionary(s => s, _ => Dataset),
            Rounds = Rounds,
            LocalEpochs = LocalEpochs,
            Optimizer = new OptimizerSpec("adam", LearningRate, BatchSize: BatchSize),
            Aggregation = new AggregationSpec(Strategy),
            PartialShareFraction = Theta,
            Sharing = new SharingSpec(ErrorFeedback, TopKScope),
            Quorum = EffectiveQuorum,
            RoundDeadline = RoundDeadline,
            Personalization = new PersonalizationSpec(LocalLayers.Count > 0 ? "fedper" : PersonalizationEpochs > 0 ? "finetune" : "none",
                PersonalizationEpochs, LocalLayers.Count > 0 ? LocalLayers : null),
            Privacy = Privacy,
            Seed = Seed,
        };
    }

    public int EffectiveQuorum => Quorum <= 0 ? Sites : Quorum;

    public int TotalEpochs => Rounds * LocalEpochs;

    /// <summary>The first problem with these options, or null when they are usable.</summary>
    public string? Validate()
    {
        if (OptionProblem is not null)
        {
            return OptionProblem;
        }
        if (Processes && (Byzantine.Count > 0 || Sites > 26 || PortBase < 1024 || PortBase + 100 + Sites > 65535))
        {
            return "--processes runs honest nodes only (no --byzantine), at most 26 sites, and needs --port-base in 1024..65000";
        }
        if (Processes && LocalLayers.Count > 0)
        {
            // Each node keeps its own local layers and the report could only score the global head, which FedPer
            // never trains (issue 18): refused rather than reported on the wrong model.
            return "--local-layers cannot run with --processes: the nodes keep their local layers to themselves, so the report could only " +
                "score the never-trained global head; run FedPer in one process (without --processes)";
        }
        if (Sites < 1 || Rounds < 1 || LocalEpochs < 1 || Threads < 1 || BatchSize < 1 || PersonalizationEpochs < 0 || TrainLimit < 0)
        {
            return "--sites, --rounds, --local-epochs, --threads and --batch-size must be at least 1";
        }
        if (!(Theta > 0 && Theta <= 1))
        {
            return $"--theta must be in (0, 1], got {Theta.ToString(CultureInfo.InvariantCulture)}";
        }
        if (!SharingSpec.Scopes.Contains(TopKScope))
        {
            return $"--topk-scope must be global or layer, got '{TopKScope}'";
        }
        if (EffectiveQuorum > Sites)
        {
            return $"--quorum {Quorum} is more than the {Sites} sites";
        }
        if (!AggregationStrategies.Names.Contains(Strategy))
        {
            return $"unknown --strategy '{Strategy}'; known: {string.Join(", ", AggregationStrategies.Names)}";
        }
        // Krum (Blanchard et al., NeurIPS 2017, §4) with f = 1 Byzantine site scores each update against its
        // n − f − 2 nearest neighbours and needs n ≥ 2f + 3 updates in every round; the median and the trimmed
        // mean need 2f + 1 sharers of a coordinate to move it.
        if (Strategy == "krum" && EffectiveQuorum < KrumUpdatesMin)
        {
            return $"--strategy krum (f = 1) needs at least {KrumUpdatesMin} updates per round (2f + 3); quorum is {EffectiveQuorum}";
        }
        if (Strategy is "median" or "trimmed-mean" && EffectiveQuorum < CoordinateSharersMin)
        {
            return $"--strategy {Strategy} (f = 1) needs at least {CoordinateSharersMin} updates per round (2f + 1); quorum is {EffectiveQuorum}";
        }
        if (Byzantine.Keys.Where(i => i < 0 || i >= Sites).Select(i => (int?)i).FirstOrDefault() is { } outside)
        {
            return $"--byzantine names site {outside}; sites are 0..{Sites - 1}";
        }
        if (Partition is not ("iid" or "dirichlet" or "hospital"))
        {
            return $"unknown --partition '{Partition}'; known: hospital, iid, dirichlet";
        }
        if (Partition is ("dirichlet" or "hospital") && !(Alpha > 0 && double.IsFinite(Alpha)))
        {
            return "--alpha must be positive";
        }
        if (!(SizeExponent >= 0 && double.IsFinite(SizeExponent)))
        {
            return "--size-exponent must be zero or more";
        }
        // A node's data.sets entry has no size exponent: node processes cut the hospital split with the default.
        if (Processes && Partition == "hospital" && SizeExponent != DefaultSizeExponent)
        {
            return string.Create(CultureInfo.InvariantCulture, $"--processes cuts the hospital split with --size-exponent {DefaultSizeExponent} only");
        }
        // The task's own validator judges the privacy block, so simulate refuses what a real task would.
        if (SecureAggregation && TaskSpecValidator.Problems(ToTaskSpec()).FirstOrDefault() is { } secure)
        {
            return $"--secure-aggregation: {secure}";
        }
        if (SecretSharing && TaskSpecValidator.Problems(ToTaskSpec()).FirstOrDefault() is { } shared)
        {
            return $"--secret-sharing: {shared}";
        }
        return TaskSpecValidator.Problems(ToTaskSpec()).FirstOrDefault(p => p.StartsWith("task.privacy", StringComparison.Ordinal)) is { } privacy
            ? $"--dp {Dp}: {privacy}"
            : null;
    }

    public IPartitioner CreatePartitioner() => Partition switch
    {
        "dirichlet" => new DirichletLabelPartitioner(Alpha, minPerSite: 1),
        "hospital" => new HospitalPartitioner(SizeExponent, Alpha),
        _ => new IidPartitioner(),
    };

    public string PartitionLabel => Partition switch
    {
        "dirichlet" => string.Create(CultureInfo.InvariantCulture, $"dirichlet(alpha={Alpha})"),
        "hospital" => string.Create(CultureInfo.InvariantCulture, $"hospital(size-exponent={SizeExponent}, alpha={Alpha})"),
        _ => "iid",
    };

    /// <summary>The configuration as HOCON, written to the report's config.conf.</summary>
    public string ToHocon()
    {
        var text = new StringBuilder();
        text.AppendLine("simulation {");
        void Line(string key, object value) => text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {key} = {value}"));
        Line("sites", Sites);
        Line("dataset", Dataset);
        Line("model", Model);
        Line("rounds", Rounds);
        Line("local-epochs", LocalEpochs);
        Line("theta", Theta);
        Line("strategy", Strategy);
        Line("error-feedback", ErrorFeedback ? "on" : "off");
        Line("topk-scope", TopKScope);
        Line("quorum", EffectiveQuorum);
        Line("partition", Partition);
        Line("alpha", Alpha);
        Line("size-exponent", SizeExponent);
        Line("seed", Seed);
        Line("threads", Threads);
        Line("optimizer", "adam");
        Line("learning-rate", LearningRate);
        Line("schedule", Schedule.ToString().ToLowerInvariant());
        Line("batch-size", BatchSize);
        Line("train-limit", TrainLimit);
        if (Dp != PrivacyModes.None)
        {
            text.AppendLine("  privacy {");
            Line("  mode", Dp);
            Line("  noise-multiplier", NoiseMultiplier);
            Line("  clip-norm", ClipNorm);
            Line("  delta", Delta);
            text.AppendLine("  }");
        }
        if (Byzantine.Count > 0)
        {
            Line("byzantine", "\"" + string.Join(",", Byzantine.OrderBy(b => b.Key).Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Key}={b.Value}"))) + "\"");
        }
        text.AppendLine("  personalization {");
        Line("  epochs", PersonalizationEpochs);
        if (LocalLayers.Count > 0)
        {
            Line("  local-layers", "[" + string.Join(", ", LocalLayers.Select(l => "\"" + l + "\"")) + "]");
        }
        Line("  learning-rate", LearningRate * PersonalizationRateFactor);
        text.AppendLine("  }");
        text.AppendLine("}");
        return text.ToString();
    }
}
