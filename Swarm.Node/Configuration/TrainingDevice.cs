namespace Swarm.Node.Configuration;

/// <summary>Where local training runs.</summary>
public enum TrainingDevice
{
    /// <summary>libtorch on the CPU.</summary>
    Cpu,
}
