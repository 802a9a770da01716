using Swarm.Learning.Data;
using Swarm.Learning.Training;

namespace Swarm.Node.Cli;

/// <summary>How a command that loads data and trains reports what stops it: a data set that cannot be read is the
/// environment's fault (exit 4), libtorch missing too, any other libtorch failure is the run's (exit 1); each as
/// one line naming the command.</summary>
internal static class TrainingFailures
{
    public static int Guard(string command, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (DataSetException e)
        {
            Console.Error.WriteLine($"{command}: {e.Message}");
            return ExitCodes.Environment;
        }
        catch (TorchException e)
        {
            Console.Error.WriteLine($"{command}: {e.Message}");
            return e.Status == TorchStatus.LibraryMissing ? ExitCodes.Environment : ExitCodes.Failure;
        }
    }

    /// <summary><see cref="Guard"/> for a command that runs swarms: also a swarm that fails (exit 1) and an
    /// interruption (exit 130), each as one line naming the command.</summary>
    public static async Task<int> GuardAsync(string command, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (DataSetException e)
        {
            Console.Error.WriteLine($"{command}: {e.Message}");
            return ExitCodes.Environment;
        }
        catch (TorchException e)
        {
            Console.Error.WriteLine($"{command}: {e.Message}");
            return e.Status == TorchStatus.LibraryMissing ? ExitCodes.Environment : ExitCodes.Failure;
        }
        catch (Simulation.SimulationException e)
        {
            Console.Error.WriteLine($"{command}: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"{command}: interrupted");
            return ExitCodes.Interrupted;
        }
    }
}
