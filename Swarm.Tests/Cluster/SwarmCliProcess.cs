using System.Diagnostics;

namespace Swarm.Tests.Cluster;

/// <summary>Runs one short <c>swarm</c> command (keygen, consortium ...) as an operator would, from the swarm.dll
/// built next to the tests, and fails naming the command when it does not succeed in time.</summary>
internal static class SwarmCliProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(SwarmNodeProcess.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(SwarmNodeProcess.SwarmDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"swarm {arguments[0]} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"phase 'setup': swarm {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s");
        }
        Assert.True(process.ExitCode == 0, $"phase 'setup': swarm {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
        return output.Result;
    }
}
