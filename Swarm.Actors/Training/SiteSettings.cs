using Swarm.Learning.Aggregation;
using Swarm.Learning.Training;
using Swarm.Learning.Updates;
using Swarm.Tasks;

namespace Swarm.Actors.Training;

/// <summary>What a site takes from the task spec: how to train, the learning-rate schedule and the aggregation
/// strategy it uses to check every round's aggregate itself (never the coordinator's word).</summary>
public sealed record SiteSettings(TrainOptions Options, LearningRateSchedule Schedule, IAggregationStrategy Strategy)
{
    /// <summary>
    /// FedPer personalization layers (Arivazhagan et al. 2019): prefixes of the model's parameter names (e.g.
    /// "fc2" for SmallCnn's classifier) whose coordinates the site never shares and keeps its own values of when
    /// it adopts a global model. Empty (the default): every coordinate is shared.
    /// </summary>
    public IReadOnlyList<string> LocalLayers { get; init; } = [];

    /// <summary>The task's privacy block. With mode <c>local</c> every local epoch of a round runs DP-SGD at
    /// q = <see cref="TrainOptions.BatchSize"/> / the site's training samples (<see cref="SitePrivacyPlan"/>).</summary>
    public PrivacySpec Privacy { get; init; } = new();

    /// <summary>Under Dopamine: m, the fewest sites whose noise a round's sum holds (<see cref="DopamineTerms.NoiseSharesOf"/>);
    /// the site adds noise of multiplier σ/√m.</summary>
    public int NoiseShares { get; init; } = 1;

    /// <summary>Where DP-SGD's masks and noise come from: the OS CSPRNG (private) unless a test asks for the
    /// seeded, reproducible and <b>not private</b> mode.</summary>
    public NoiseRandomness NoiseRandomness { get; init; } = NoiseRandomness.Secure;

    /// <summary>The task's sharing rule: θ, error feedback and the top-θ scope. Every update the site publishes
    /// follows it, and every update it aggregates is checked against it. The default shares everything.</summary>
    public SharingOptions Sharing { get; init; } = SharingOptions.Full;

    /// <summary>Honest unless a test or simulation makes the site Byzantine on purpose.</summary>
    public SiteBehavior Behavior { get; init; } = SiteBehavior.Honest;
}
