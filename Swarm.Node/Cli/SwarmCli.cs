using System.CommandLine;

namespace Swarm.Node.Cli;

/// <summary>The root of the <c>swarm</c> command line: every command is registered here.</summary>
public static class SwarmCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Swarm: serverless swarm learning for medical imaging, one PBFT chain per task.");
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(PrivacyCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(KeygenCommand.Create());
        root.Subcommands.Add(ConsortiumCommand.Create());
        root.Subcommands.Add(NodeCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(TaskCommand.Create());
        return root;
    }

    public static int Run(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"swarm: {error.Message}");
            }
            Console.Error.WriteLine("Try 'swarm --help'.");
            return ExitCodes.Usage;
        }
        return parse.Invoke();
    }
}
