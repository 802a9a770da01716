namespace Swarm.Learning.Training;

/// <summary>Checks <see cref="TrainOptions"/> before any step, with a message naming the bad setting.</summary>
internal static class TrainOptionsValidator
{
    public static void Validate(TrainOptions o)
    {
        Require(o.Optimizer is OptimizerKind.Sgd or OptimizerKind.Adam, "optimizer must be SGD or Adam");
        Require(o.LearningRate > 0 && double.IsFinite(o.LearningRate), "learning rate must be > 0");
        Require(o.Momentum is >= 0 and < 1, "momentum must be in [0, 1)");
        Require(o.WeightDecay >= 0, "weight decay must be >= 0");
        Require(o.BatchSize >= 1, "batch size must be >= 1");
        // DP-SGD clips per-example gradients of the data loss; a penalty outside that accounting is not implemented,
        // so the combination is refused rather than silently dropping the penalty.
        Require(o.Privacy is null || o.Transfer is null, "transfer regularization cannot be combined with DP-SGD (the penalty is not part of the per-example clipping)");
        if (o.Privacy is { } dp)
        {
            Require(dp.ClipNorm > 0, "DP clip norm must be > 0");
            Require(dp.NoiseMultiplier >= 0, "DP noise multiplier must be >= 0");
            Require(dp.SamplingRate is > 0 and <= 1, "DP sampling rate must be in (0, 1]");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
