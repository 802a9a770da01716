using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using Swarm.Node.Service;

namespace Swarm.Tests.Cluster;

/// <summary>One real <c>swarm node --config FILE</c> process, started with the dotnet host from the swarm.dll built
/// next to the tests. Its output is kept for failure messages; Dispose kills it if it still runs.</summary>
internal sealed partial class SwarmNodeProcess : IDisposable
{
    private const int SigTerm = 15;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _proofVerifications = new();
    private readonly Process _process;

    private SwarmNodeProcess(string name, Uri httpAddress, Process process)
    {
        Name = name;
        HttpAddress = httpAddress;
        _process = process;
    }

    /// <summary>The <c>swarm</c> executable built with the tests (Swarm.Node is a project reference).</summary>
    public static string SwarmDll => Path.Combine(AppContext.BaseDirectory, "swarm.dll");

    public string Name { get; }

    public Uri HttpAddress { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static SwarmNodeProcess Start(string name, string configFile, int httpPort)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", SwarmDll, "node", "--config", configFile })
        {
            start.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = start };
        var node = new SwarmNodeProcess(name, new Uri($"http://127.0.0.1:{httpPort}"), process);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"swarm node {name} did not start");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>The node's /health report, or null while it does not answer (starting, killed).</summary>
    public async Task<HealthReport?> HealthAsync()
    {
        try
        {
            return await Http.GetFromJsonAsync<HealthReport>(new Uri(HttpAddress, "/health"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public async Task<string> MetricsAsync() => await Http.GetStringAsync(new Uri(HttpAddress, "/metrics"));

    /// <summary>SIGKILL: the process gets no chance to leave the cluster.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the node should leave the cluster and exit 0.</summary>
    public void Terminate()
    {
        if (KillSignal(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout, string phase)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return _process.ExitCode;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"phase '{phase}': node {Name} did not exit within {timeout.TotalSeconds} s\n{Output()}");
        }
    }

    /// <summary>Every line in which the node reported verifying a cross-chain proof (kept apart from the last 500
    /// lines of <see cref="Output"/>, which later rounds push out).</summary>
    public IReadOnlyCollection<string> ProofVerifications => _proofVerifications;

    /// <summary>The last lines the node wrote (stdout and stderr).</summary>
    public string Output(int lines = 40) => $"--- {Name} output ---\n" + string.Join("\n", _output.TakeLast(lines));

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped: nothing left to kill.
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        if (line.Contains("verified offline in", StringComparison.Ordinal))
        {
            _proofVerifications.Enqueue(line);
        }
        while (_output.Count > 500)
        {
            _output.TryDequeue(out _);
        }
    }

    /// <summary>The dotnet host running this test (the test host is started through it), else the one on PATH.</summary>
    public static string DotnetHost() => Swarm.Node.Simulation.LocalCluster.DotnetHost();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillSignal(int pid, int signal);
}
