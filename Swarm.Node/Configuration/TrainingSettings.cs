namespace Swarm.Node.Configuration;

/// <summary><c>training { threads, device }</c>: local training on libtorch.</summary>
public sealed record TrainingSettings
{
    /// <summary>Intra-op threads; 0 means one per core.</summary>
    [SettingRange(0, 1024)]
    public int Threads { get; init; }

    public TrainingDevice Device { get; init; }
}
