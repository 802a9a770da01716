using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Swarm.Node.Cli;

/// <summary><c>swarm version</c>: the build's version and runtime.</summary>
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
            return ExitCodes.Ok;
        });
        return command;
    }
}
