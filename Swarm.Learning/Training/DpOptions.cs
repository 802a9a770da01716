namespace Swarm.Learning.Training;

/// <summary>DP-SGD settings (Abadi et al. 2016): each example's gradient is clipped to <see cref="ClipNorm"/>,
/// Gaussian noise of standard deviation <see cref="NoiseMultiplier"/> × C is added to the sum, and batches are
/// Poisson samples with probability <see cref="SamplingRate"/> per example.</summary>
public sealed record DpOptions(double ClipNorm, double NoiseMultiplier, double SamplingRate)
{
    /// <summary>Divisor of a single <c>TrainBatch</c> DP step; 0 means the batch's size. An epoch always divides
    /// by the expected Poisson batch size q·N.</summary>
    public double ExpectedBatchSize { get; init; }

    /// <summary>The DP-SGD steps one <c>TrainEpoch</c> call takes; 0 (the default) means <see cref="StepsPerEpoch"/>.
    /// Dopamine's rounds take exactly one step each (Malekzadeh et al. 2021, Algorithm 1).</summary>
    public int Steps { get; init; }

    /// <summary>The steps one <c>TrainEpoch</c> call takes under these options.</summary>
    public int StepsPerCall => Steps > 0 ? Steps : StepsPerEpoch(SamplingRate);

    /// <summary>Secure (the default, private) or seeded (reproducible, not private).</summary>
    public NoiseRandomness Randomness { get; init; } = NoiseRandomness.Secure;

    /// <summary>The DP-SGD steps of one epoch at sampling rate <paramref name="samplingRate"/>: round(1/q), at
    /// least 1, so each example is visited once in expectation. What the accountant must be told per epoch.</summary>
    public static int StepsPerEpoch(double samplingRate) =>
        Math.Max(1, (int)Math.Round(1.0 / samplingRate, MidpointRounding.AwayFromZero));
}
