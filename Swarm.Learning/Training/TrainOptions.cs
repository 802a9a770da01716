namespace Swarm.Learning.Training;

/// <summary>Options of one training call. The learning rate is read on every call (schedules are the caller's);
/// a change of optimizer, momentum or weight decay restarts the optimizer state.</summary>
public sealed record TrainOptions
{
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>SGD momentum; Adam ignores it.</summary>
    public double Momentum { get; init; }
    public double WeightDecay { get; init; }
    public int BatchSize { get; init; } = 128;
    /// <summary>DP-SGD when set; plain training when null.</summary>
    public DpOptions? Privacy { get; init; }
    /// <summary>Seed of the epoch's shuffle, Poisson sampling and DP noise.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>libtorch intra-op threads for this call; 0 leaves the current setting.</summary>
    public int Threads { get; init; }
    /// <summary>The regularizing transfer mode: its penalty joins the loss of every plain step; null: none.</summary>
    public Transfer.TransferAnchor? Transfer { get; init; }
}
