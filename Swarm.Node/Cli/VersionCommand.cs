using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using Swarm.Learning.Training;

namespace Swarm.Node.Cli;

/// <summary><c>swarm version</c>: the build's version, runtime and training engine (loading LibTorch, so that a
/// broken set-up shows here with exit code 4).</summary>
public static class VersionCommand
{
    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionCommand).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static Command Create()
    {
        var command = new Command("version", "Print the version of swarm and of the runtime it runs on.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"swarm {Version}");
            Console.WriteLine($"runtime {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})");
            try
            {
                Console.WriteLine($"engine TorchSharp on LibTorch {TorchRuntime.LibTorchVersion} (CPU)");
                return ExitCodes.Ok;
            }
            catch (TorchException e)
            {
                Console.Error.WriteLine($"swarm version: {e.Message}");
                return ExitCodes.Environment;
            }
        });
        return command;
    }
}
