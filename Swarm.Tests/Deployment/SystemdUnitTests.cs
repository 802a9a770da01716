using System.Diagnostics;

namespace Swarm.Tests.Deployment;

/// <summary>deploy/systemd/swarm-node.service as systemd reads it: <c>systemd-analyze verify</c> (from Debian's
/// systemd, installed by scripts/test.d/40-systemd.sh) accepts every line without a warning, with its ExecStart
/// pointed at the <c>swarm</c> built with the tests (verify insists that the program exists). And the unit keeps the
/// promises docs/operations.md makes for it.</summary>
public sealed class SystemdUnitTests
{
    private const string Analyzer = "/usr/bin/systemd-analyze";

    [Fact]
    public async Task The_node_unit_verifies_without_warnings()
    {
        Assert.True(File.Exists(Analyzer), $"{Analyzer} is missing: run `source scripts/test.d/40-systemd.sh` (it installs Debian's systemd)");
        using var dir = new TempDirectory();
        var unit = Path.Combine(dir.Path, "swarm-node.service");
        var swarm = Path.Combine(AppContext.BaseDirectory, "swarm");
        File.WriteAllText(unit, UnitText().Replace("/opt/swarm/swarm ", swarm + " ", StringComparison.Ordinal));

        var start = new ProcessStartInfo(Analyzer) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "verify", "--man=no", unit })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0 && errors.Length == 0 && (await output).Length == 0,
            $"systemd-analyze verify exited {process.ExitCode}:\n{errors}{await output}");
    }

    [Fact]
    public void The_node_unit_runs_hardened_as_its_own_user_and_does_not_restart_on_operator_errors()
    {
        var lines = UnitText().Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);

        foreach (var line in new[]
        {
            "User=swarm", "ProtectSystem=strict", "ReadWritePaths=/var/lib/swarm", "StateDirectoryMode=0700", "NoNewPrivileges=yes",
            "Restart=on-failure", "RestartPreventExitStatus=2 3 4", "KillSignal=SIGTERM", "CapabilityBoundingSet=",
        })
        {
            Assert.Contains(line, lines);
        }
        // `systemctl reload` sends SIGHUP, which re-reads the consortium file (docs/operations.md §2).
        Assert.Contains("ExecReload=/bin/kill -HUP $MAINPID", lines);
    }

    private static string UnitText()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "deploy", "systemd", "swarm-node.service");
            if (File.Exists(path))
            {
                return File.ReadAllText(path);
            }
        }
        throw new FileNotFoundException("deploy/systemd/swarm-node.service is not above the test's directory " + AppContext.BaseDirectory);
    }
}
