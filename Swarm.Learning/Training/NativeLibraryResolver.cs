using System.Reflection;
using System.Runtime.InteropServices;

namespace Swarm.Learning.Training;

/// <summary>Finds <c>libswarm_torch.so</c>: the build copies it beside the assemblies; during development it is
/// also found in the source tree's <c>native/build</c> (found from <c>SWARM_ROOT</c> or by walking up from the
/// assembly), and <c>SWARM_NATIVE_LIB</c> may name the file outright.</summary>
internal static class NativeLibraryResolver
{
    internal const string FileName = "libswarm_torch.so";

    internal static void Register(Assembly assembly) => NativeLibrary.SetDllImportResolver(assembly, Resolve);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeMethods.Library)
        {
            return 0;
        }
        foreach (var candidate in Candidates())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }
        return 0;
    }

    internal static IEnumerable<string> Candidates()
    {
        var explicitPath = Environment.GetEnvironmentVariable("SWARM_NATIVE_LIB");
        if (!string.IsNullOrEmpty(explicitPath))
        {
            yield return explicitPath;
        }
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        var root = Environment.GetEnvironmentVariable("SWARM_ROOT");
        if (!string.IsNullOrEmpty(root))
        {
            yield return Path.Combine(root, "native", "build", FileName);
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            yield return Path.Combine(dir.FullName, "native", "build", FileName);
        }
    }
}
