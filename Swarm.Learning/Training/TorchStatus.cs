namespace Swarm.Learning.Training;

/// <summary>Status codes of the native shim (enum swarm_status in swarm_torch.h).</summary>
public enum TorchStatus
{
    Ok = 0,
    InvalidArgument = 1,
    TorchError = 2,
    IoError = 3,
    Unsupported = 4,
    Internal = 5,
    /// <summary>The native library itself could not be loaded (not a code the shim returns).</summary>
    LibraryMissing = 100,
}
