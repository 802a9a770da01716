namespace Swarm.Learning.Training;

/// <summary>What kind of failure a <see cref="TorchException"/> reports.</summary>
public enum TorchStatus
{
    Ok = 0,
    InvalidArgument = 1,
    TorchError = 2,
    IoError = 3,
    Unsupported = 4,
    Internal = 5,
    /// <summary>LibTorch itself could not be loaded.</summary>
    LibraryMissing = 100,
}
