using System.Runtime.InteropServices;

namespace Swarm.Learning.Training;

/// <summary>
/// Tunes glibc's allocator for LibTorch. LibTorch's CPU tensors come from <c>malloc</c>; glibc serves blocks above
/// its mmap threshold (128 KiB at first, raised dynamically up to 32 MiB) with a fresh <c>mmap</c> and returns them
/// with <c>munmap</c>, and trims the heap's top above 128 KiB, so a training step that allocates and frees its
/// activations and gradients pays page faults for every large tensor, step after step. Measured on SmallCnn
/// (batch 128, 2 threads): about 1.2–1.5k img/s with glibc's defaults, 3.3–3.5k img/s with large blocks kept on
/// the heap (docs/benchmarks.md). PyTorch's own CPU guidance makes the same point by recommending jemalloc or
/// tcmalloc. The thresholds are fixed once per process, before the first tensor; an operator's own
/// <c>MALLOC_*_</c> environment settings win.
/// </summary>
public static class NativeHeap
{
    // mallopt parameters of glibc's malloc.h.
    private const int TrimThreshold = -1;
    private const int TopPad = -2;
    private const int MmapThreshold = -3;

    /// <summary>Blocks up to this size come from the heap, not from a private mmap.</summary>
    public const int KeepOnHeapBytes = 1 << 30;

    /// <summary>Free memory at the heap's top is returned to the system only above this size.</summary>
    public const int TrimAboveBytes = 1 << 30;

    /// <summary>Extra bytes requested with each heap growth.</summary>
    public const int GrowthPadBytes = 64 << 20;

    private static int _configured;

    /// <summary>Whether <see cref="Configure"/> changed glibc's settings in this process.</summary>
    public static bool Tuned { get; private set; }

    /// <summary>Applies the settings once (Linux with glibc only; elsewhere, or when the environment already sets
    /// glibc's malloc variables, it leaves the allocator alone).</summary>
    public static void Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1 || !OperatingSystem.IsLinux() || OperatorChoseSettings())
        {
            return;
        }
        try
        {
            Tuned = mallopt(MmapThreshold, KeepOnHeapBytes) == 1
                    & mallopt(TrimThreshold, TrimAboveBytes) == 1
                    & mallopt(TopPad, GrowthPadBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): its allocator has no such knobs.
        }
    }

    private static bool OperatorChoseSettings() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(name =>
            name.StartsWith("MALLOC_", StringComparison.Ordinal) && name.EndsWith('_'))
        || (Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc", StringComparison.Ordinal) ?? false);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
