using System.CommandLine;

namespace Swarm.Node.Cli;

/// <summary><c>swarm simulate</c>: the main job, a swarm of sites in one process.</summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var command = new Command("simulate", "Simulate a swarm of sites on this machine (embedded SQLite store).");
        command.SetAction(_ =>
        {
            Console.WriteLine($"swarm {VersionCommand.Version}: node started");
            Console.WriteLine("status: up");
            return ExitCodes.Ok;
        });
        return command;
    }
}
