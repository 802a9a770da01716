using Swarm.Learning.Privacy;
using Swarm.Learning.Training;

namespace Swarm.Tasks;

/// <summary>
/// How one site of a <c>local</c>-DP task spends privacy: DP-SGD (Abadi et al. 2016) with Poisson sampling rate
/// q = expected batch / the site's training samples (at most 1), noise multiplier σ and clip norm C from the spec,
/// round(1/q) steps per local epoch, and ε at the spec's δ from the RDP accountant (Mironov 2017) over all the
/// steps of the rounds the site has published so far. The site, its trainer and every replica of the task's chain
/// derive the same plan from the spec and the site's sample count, which is what lets the chain check a site's
/// claimed ε. Under <c>dopamine</c> (<see cref="DopamineTerms"/>) a round is one step, each site adds noise of
/// multiplier σ/√m (<see cref="SiteNoiseMultiplier"/>) and the round is accounted at σ, the noise of the sum.
/// </summary>
public sealed record SitePrivacyPlan(double SamplingRate, double NoiseMultiplier, double ClipNorm, double Delta, int StepsPerRound)
{
    /// <summary>The plan of a site with <paramref name="sampleCount"/> training samples under <paramref name="spec"/>;
    /// null when the spec runs no DP.</summary>
    public static SitePrivacyPlan? For(TaskSpec spec, long sampleCount)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var q = SamplingRateOf(spec.Optimizer.BatchSize, sampleCount);
        var privacy = spec.Privacy;
        return privacy.Mode switch
        {
            PrivacyModes.Local => new SitePrivacyPlan(q, privacy.NoiseMultiplier, privacy.ClipNorm, privacy.Delta, StepsPerRoundOf(q, spec.LocalEpochs)),
            PrivacyModes.Dopamine => new SitePrivacyPlan(q, privacy.NoiseMultiplier, privacy.ClipNorm, privacy.Delta, 1)
            {
                SiteNoiseMultiplier = DopamineTerms.SiteNoiseMultiplier(privacy.NoiseMultiplier, DopamineTerms.NoiseSharesOf(spec)),
            },
            _ => null,
        };
    }

    /// <summary>The noise multiplier of the Gaussian this site's trainer adds: σ under local DP; σ/√m under Dopamine,
    /// where the revealed sum of at least m sites carries σ.</summary>
    public double SiteNoiseMultiplier { get; init; } = double.NaN;

    private double TrainingNoise => double.IsNaN(SiteNoiseMultiplier) ? NoiseMultiplier : SiteNoiseMultiplier;

    /// <summary>q = expected batch / samples, at most 1 (a site with fewer samples than a batch takes each example
    /// into every step with probability 1); a site with no samples counts as one.</summary>
    public static double SamplingRateOf(int expectedBatch, long sampleCount) =>
        Math.Min(1.0, expectedBatch / (double)Math.Max(1, sampleCount));

    /// <summary>The DP-SGD steps a site takes in one round of <paramref name="localEpochs"/> epochs.</summary>
    public static int StepsPerRoundOf(double samplingRate, int localEpochs) =>
        checked(localEpochs * DpOptions.StepsPerEpoch(samplingRate));

    /// <summary>The trainer's DP-SGD options for this plan.</summary>
    /// <remarks>Under Dopamine one call of <c>TrainEpoch</c> takes the round's one step.</remarks>
    public DpOptions ToDpOptions(NoiseRandomness randomness) => new(ClipNorm, TrainingNoise, SamplingRate)
    {
        Randomness = randomness,
        Steps = double.IsNaN(SiteNoiseMultiplier) ? 0 : StepsPerRound,
    };

    /// <summary>ε at <see cref="Delta"/> after <paramref name="steps"/> steps (0 for none).</summary>
    public double EpsilonAfter(long steps) => EpsilonOf(SamplingRate, NoiseMultiplier, steps, Delta);

    /// <summary>The accountant's ε for <paramref name="steps"/> sampled-Gaussian steps: what a site claims and what
    /// every replica recomputes.</summary>
    /// <remarks>The same number as <see cref="RdpAccountant.ComputeEpsilon"/> (its total at each order is
    /// steps × the one-step RDP, which is what is formed here), with the one-step curve kept per (q, σ): a replica
    /// recomputes ε for every update it applies, and the fractional orders cost thousands of series terms.</remarks>
    public static double EpsilonOf(double samplingRate, double noiseMultiplier, long steps, double delta)
    {
        if (steps == 0)
        {
            return 0;
        }
        var perStep = OneStepCurves.GetOrAdd((samplingRate, noiseMultiplier), static key =>
        {
            var accountant = new RdpAccountant();
            accountant.Compose(key.SamplingRate, key.NoiseMultiplier);
            return [.. accountant.Rdp];
        });
        if (OneStepCurves.Count > CachedCurvesMax)
        {
            OneStepCurves.Clear();
        }
        var total = new double[perStep.Length];
        for (var i = 0; i < total.Length; i++)
        {
            total[i] = steps * perStep[i];
        }
        return RdpConverter.ToEpsilon(RdpOrders.Default, total, delta, PrivacyConversion.Classic).Epsilon;
    }

    /// <summary>How many (q, σ) one-step curves are kept: a task has one per distinct site size.</summary>
    private const int CachedCurvesMax = 256;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(double SamplingRate, double NoiseMultiplier), double[]> OneStepCurves = new();

    /// <summary>The claim a site publishes with its update once it has taken <paramref name="steps"/> steps in all.</summary>
    public PrivacyClaim ClaimAfter(long steps) => new(SamplingRate, NoiseMultiplier, steps, Delta, EpsilonAfter(steps));
}

/// <summary>What a site's update tells the chain about the privacy it has spent: the accountant's parameters (q, σ,
/// DP-SGD steps so far, δ) and the ε they give.</summary>
public sealed record PrivacyClaim(double SamplingRate, double NoiseMultiplier, long Steps, double Delta, double Epsilon);

/// <summary>A site's privacy budget from its node's policy: it takes part in no round that would bring its ε at
/// the task's δ over <paramref name="Epsilon"/>, and consents to no task whose δ is over <paramref name="Delta"/>.</summary>
public sealed record PrivacyBudget(double Epsilon, double Delta);

/// <summary>What a site brings to a DP task besides the spec: its training sample count and its node's budget
/// (none: no limit).</summary>
public sealed record SitePrivacy(long SampleCount, PrivacyBudget? Budget = null);
