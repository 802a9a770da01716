using Swarm.Learning.Privacy;
using Swarm.Learning.Training;

namespace Swarm.Tasks;

/// <summary>
/// How one site of a <c>local</c>-DP task spends privacy: DP-SGD (Abadi et al. 2016) with Poisson sampling rate
/// q = expected batch / the site's training samples (at most 1), noise multiplier σ and clip norm C from the spec,
/// round(1/q) steps per local epoch, and ε at the spec's δ from the RDP accountant (Mironov 2017) over all the
/// steps of the rounds the site has published so far. The site, its trainer and every replica of the task's chain
/// derive the same plan from the spec and the site's sample count, which is what lets the chain check a site's
/// claimed ε.
/// </summary>
public sealed record SitePrivacyPlan(double SamplingRate, double NoiseMultiplier, double ClipNorm, double Delta, int StepsPerRound)
{
    /// <summary>The plan of a site with <paramref name="sampleCount"/> training samples under <paramref name="spec"/>;
    /// null when the spec runs no DP.</summary>
    public static SitePrivacyPlan? For(TaskSpec spec, long sampleCount)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Privacy.Mode != PrivacyModes.Local)
        {
            return null;
        }
        var q = SamplingRateOf(spec.Optimizer.BatchSize, sampleCount);
        return new SitePrivacyPlan(q, spec.Privacy.NoiseMultiplier, spec.Privacy.ClipNorm, spec.Privacy.Delta,
            StepsPerRoundOf(q, spec.LocalEpochs));
    }

    /// <summary>q = expected batch / samples, at most 1 (a site with fewer samples than a batch takes each example
    /// into every step with probability 1); a site with no samples counts as one.</summary>
    public static double SamplingRateOf(int expectedBatch, long sampleCount) =>
        Math.Min(1.0, expectedBatch / (double)Math.Max(1, sampleCount));

    /// <summary>The DP-SGD steps a site takes in one round of <paramref name="localEpochs"/> epochs.</summary>
    public static int StepsPerRoundOf(double samplingRate, int localEpochs) =>
        checked(localEpochs * DpOptions.StepsPerEpoch(samplingRate));

    /// <summary>The trainer's DP-SGD options for this plan.</summary>
    public DpOptions ToDpOptions(NoiseRandomness randomness) => new(ClipNorm, NoiseMultiplier, SamplingRate) { Randomness = randomness };

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
