using System.Runtime.InteropServices;

namespace Swarm.Learning.Training;

/// <summary>Owns a native <c>swarm_model*</c>; released with <c>swarm_model_free</c>.</summary>
internal sealed class TorchModelHandle : SafeHandle
{
    public TorchModelHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        NativeMethods.ModelFree(handle);
        return true;
    }
}
