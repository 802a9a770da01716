namespace Swarm.Tests.Persistence;

/// <summary>
/// Entry point of Swarm.Tests.dll when a test starts it as a child process (<c>dotnet exec Swarm.Tests.dll MODE
/// ...</c>), so that a test can kill real processes. The test host never calls it; run without arguments it does
/// nothing, as the generated entry point of a test project would.
/// </summary>
public static class ChildProcessMain
{
    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            return 0;
        }
        return args[0] switch
        {
            LedgerCrashWriter.Mode => LedgerCrashWriter.Run(args[1..]),
            _ => Unknown(args[0]),
        };
    }

    private static int Unknown(string mode)
    {
        Console.Error.WriteLine($"Swarm.Tests: unknown child process mode '{mode}'");
        return 2;
    }
}
