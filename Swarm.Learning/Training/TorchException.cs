using System.Runtime.InteropServices;

namespace Swarm.Learning.Training;

/// <summary>A failure reported by the native training engine, with its status and the native message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(TorchStatus status, string message)
        : base(message)
    {
        Status = status;
    }

    public TorchException(TorchStatus status, string message, Exception inner)
        : base(message, inner)
    {
        Status = status;
    }

    public TorchStatus Status { get; }

    /// <summary>Throws when <paramref name="status"/> is not Ok, with the native message of this thread.</summary>
    internal static void ThrowIfFailed(TorchStatus status, string operation)
    {
        if (status == TorchStatus.Ok)
        {
            return;
        }
        var message = Marshal.PtrToStringUTF8(NativeMethods.LastError()) ?? "no message";
        throw new TorchException(status, $"{operation} failed ({status}): {message}");
    }
}
