using TorchSharp;

namespace Swarm.Learning.Training;

/// <summary>Process-wide settings of the engine (TorchSharp over LibTorch 2.10).</summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool _loaded;
    private static bool _interopPinned;

    /// <summary>Loads LibTorch once (after tuning the native heap for it, <see cref="NativeHeap"/>), turning a library that does not load into a <see cref="TorchException"/>
    /// with <see cref="TorchStatus.LibraryMissing"/> that names the set-up step.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded)
            {
                return;
            }
            NativeHeap.Configure();
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
                _loaded = true;
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException
                                          or EntryPointNotFoundException or BadImageFormatException)
            {
                throw new TorchException(TorchStatus.LibraryMissing,
                    "LibTorch (TorchSharp-cpu) could not be loaded. On Debian 12 its native library needs the libstdc++ " +
                    "bridge that scripts/build/10-torchsharp.sh installs (./swarm runs it): " + Innermost(e).Message, e);
            }
        }
    }

    /// <summary>The LibTorch version TorchSharp runs on (loads it first).</summary>
    public static string LibTorchVersion
    {
        get
        {
            EnsureLoaded();
            return torch.__version__;
        }
    }

    /// <summary>Sets LibTorch's intra-op threads, and pins the inter-op pool to one thread on first use. Results
    /// are reproducible for a fixed seed and thread count. OpenMP keeps the thread count per calling thread, so
    /// training calls set it again on the thread that trains (it costs next to nothing).</summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        EnsureLoaded();
        lock (Gate)
        {
            if (!_interopPinned)
            {
                _interopPinned = true;
                try
                {
                    torch.set_num_interop_threads(1);
                }
                catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException)
                {
                    // The inter-op pool already started in this process: keep its size.
                }
            }
        }
        torch.set_num_threads(threads);
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
