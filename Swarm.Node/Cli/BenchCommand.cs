using System.CommandLine;
using Swarm.Node.Cli.Bench;

namespace Swarm.Node.Cli;

/// <summary><c>swarm bench ...</c>: benchmark commands. Each prints its numbers and a ratio against a baseline
/// measured in the same run; results are recorded in docs/benchmarks.md.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Run a benchmark and print its numbers (see docs/benchmarks.md).");
        command.Subcommands.Add(Persistence.LedgerBenchCommand.Create());
        command.Subcommands.Add(ActorsBench.Create());
        command.Subcommands.Add(Bench.TransportBench.Create());
        command.Subcommands.Add(Bench.ConsensusBench.Create());
        command.Subcommands.Add(TrainBench.Create());
        command.Subcommands.Add(RoundBench.Create());
        command.Subcommands.Add(SecAggBench.Create());
        command.Subcommands.Add(SecretSharingBench.Create());
        command.Subcommands.Add(ProofBench.Create());
        return command;
    }
}
