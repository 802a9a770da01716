namespace Swarm.Learning.Training;

/// <summary>Process-wide settings of the native engine.</summary>
public static class TorchRuntime
{
    /// <summary>Sets libtorch's intra-op threads (and pins the inter-op pool to one thread on first use).
    /// Results are reproducible for a fixed seed and thread count. OpenMP keeps the thread count per calling
    /// thread, so training calls set it again on the thread that trains (it costs next to nothing).</summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TorchException.ThrowIfFailed(Invoke(() => NativeMethods.SetThreads(threads)), "set threads");
    }

    /// <summary>Runs a native call, turning a missing native library into a <see cref="TorchException"/>.</summary>
    internal static TorchStatus Invoke(Func<TorchStatus> call)
    {
        try
        {
            return call();
        }
        catch (DllNotFoundException e)
        {
            throw new TorchException(TorchStatus.LibraryMissing,
                $"the native engine {NativeLibraryResolver.FileName} could not be loaded (build it with ./swarm or " +
                $"scripts/build/10-native.sh; libtorch comes from scripts/setup/10-libtorch.sh): {e.Message}", e);
        }
    }
}
