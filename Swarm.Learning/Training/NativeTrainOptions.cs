using System.Runtime.InteropServices;

namespace Swarm.Learning.Training;

/// <summary>Blittable mirror of <c>swarm_train_options</c> in swarm_torch.h (same field order and sizes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeTrainOptions
{
    public int Optimizer;
    public int BatchSize;
    public double LearningRate;
    public double Momentum;
    public double WeightDecay;
    public int DpEnabled;
    public int Reserved;
    public double DpClipNorm;
    public double DpNoiseMultiplier;
    public double DpSamplingRate;
    public double DpExpectedBatch;
    public ulong Seed;

    public static NativeTrainOptions From(TrainOptions options) => new()
    {
        Optimizer = (int)options.Optimizer,
        BatchSize = options.BatchSize,
        LearningRate = options.LearningRate,
        Momentum = options.Momentum,
        WeightDecay = options.WeightDecay,
        DpEnabled = options.Privacy is null ? 0 : 1,
        DpClipNorm = options.Privacy?.ClipNorm ?? 0,
        DpNoiseMultiplier = options.Privacy?.NoiseMultiplier ?? 0,
        DpSamplingRate = options.Privacy?.SamplingRate ?? 0,
        DpExpectedBatch = options.Privacy?.ExpectedBatchSize ?? 0,
        Seed = options.Seed,
    };
}
