namespace Swarm.Node.Cli;

/// <summary>Process exit codes of the <c>swarm</c> command; documented in README.md.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed (an error message says why).</summary>
    public const int Failure = 1;

    /// <summary>The command line was not understood (unknown command, bad or missing option).</summary>
    public const int Usage = 2;

    /// <summary>The configuration could not be read or is invalid (the message names file, line and key).</summary>
    public const int Config = 3;

    /// <summary>A required component is missing or broken (native library, data set, store).</summary>
    public const int Environment = 4;

    /// <summary>The command was interrupted (SIGINT or SIGTERM) before it finished.</summary>
    public const int Interrupted = 130;
}
